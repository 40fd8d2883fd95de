"""`/api/v1/practice/`: the practice's own settings."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/practice/"


def test_it_shows_the_practices_settings(api_a, practice_a):
    body = api_a.get(URL).json()

    assert body == {
        "id": str(practice_a.practice.pk),
        "name": practice_a.practice.name,
        "timezone": "Europe/Madrid",
        "brief_hour": "07:30",
        "alert_url_template": "",
        "survey_channels": ["email"],
        "survey_cadence": "sessions",
        "reply_to_email": "",
    }


def test_it_changes_the_brief_hour_and_the_alert_url_template(api_a):
    response = api_a.patch(
        URL,
        {"brief_hour": "08:15", "alert_url_template": "https://ehr.example/a/{alert_id}"},
        format="json",
    )

    assert response.status_code == 200
    assert api_a.get(URL).json()["brief_hour"] == "08:15"


@pytest.mark.parametrize(
    "change",
    [
        {"timezone": "Mars/Olympus"},
        {"brief_hour": "25:00"},
        {"alert_url_template": "https://ehr.example/alerts"},
    ],
)
def test_it_refuses_a_bad_setting(api_a, change):
    response = api_a.patch(URL, change, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(change)


def test_each_key_sees_its_own_practice(api_b, practice_b):
    assert api_b.get(URL).json()["id"] == str(practice_b.practice.pk)


def test_patch_chooses_survey_channels_and_cadence(api_a):
    response = api_a.patch(
        URL,
        {"survey_channels": ["webhook", "email"], "survey_cadence": "weeks"},
        format="json",
    )

    assert response.status_code == 200
    assert api_a.get(URL).json() == response.json()
    assert response.json()["survey_channels"] == ["email", "webhook"]
    assert response.json()["survey_cadence"] == "weeks"


def test_one_practices_survey_channels_are_its_own(api_a, api_b):
    api_a.patch(URL, {"survey_channels": ["webhook"]}, format="json")

    assert api_b.get(URL).json()["survey_channels"] == ["email"]


@pytest.mark.parametrize(
    "change",
    [
        {"survey_channels": []},
        {"survey_channels": ["sms"]},
        {"survey_channels": ["email", "email"]},
        {"survey_cadence": "monthly"},
        {"reply_to_email": "not an address"},
    ],
)
def test_it_refuses_a_bad_survey_setting(api_a, change):
    response = api_a.patch(URL, change, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(change)


def test_without_a_key_it_answers_401(anonymous_api):
    assert anonymous_api.get(URL).status_code == 401
