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
