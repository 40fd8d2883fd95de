import pytest

from tests.factories import make_sent_invitation

pytestmark = pytest.mark.django_db


def test_a_practice_starts_with_the_contracts_defaults(api_a):
    assert api_a.get("/api/v1/survey-policy/").json() == {
        "instrument": "alliance-check",
        "send_delay_minutes": 60,
        "every_nth_session": 1,
        "every_n_weeks": 2,
        "min_days_between": 0,
        "reminder_after_hours": None,
        "expires_after_hours": 72,
        "quiet_hours": {"start": "21:00", "end": "08:00"},
        "language": None,
    }


def test_patch_changes_only_what_it_names(api_a):
    response = api_a.patch(
        "/api/v1/survey-policy/",
        {"every_nth_session": 2, "quiet_hours": None, "instrument": "srs"},
        format="json",
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["every_nth_session"], body["quiet_hours"], body["instrument"]) == (2, None, "srs")
    assert api_a.get("/api/v1/survey-policy/").json() == body


def test_put_replaces_the_policy(api_a):
    policy = {
        "instrument": "wai-sr",
        "send_delay_minutes": 0,
        "every_nth_session": 3,
        "every_n_weeks": 4,
        "min_days_between": 30,
        "reminder_after_hours": 48,
        "expires_after_hours": 96,
        "quiet_hours": {"start": "22:30", "end": "07:00"},
        "language": "es",
    }

    response = api_a.put("/api/v1/survey-policy/", policy, format="json")

    assert response.json() == policy


def test_policies_belong_to_one_practice(api_a, api_b):
    api_a.patch("/api/v1/survey-policy/", {"every_nth_session": 4}, format="json")

    assert api_b.get("/api/v1/survey-policy/").json()["every_nth_session"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"instrument": "no-such"}, "instrument"),
        ({"every_nth_session": 0}, "every_nth_session"),
        ({"quiet_hours": {"start": "25:00", "end": "08:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "08:00"}}, "quiet_hours"),
        ({"reminder_after_hours": 80}, "reminder_after_hours"),
    ],
)
def test_an_invalid_policy_is_a_field_error(api_a, change, field):
    response = api_a.patch("/api/v1/survey-policy/", change, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_practice_can_survey_every_client_in_one_language(api_a, practice_a, client_a, client):
    api_a.patch("/api/v1/survey-policy/", {"language": "es"}, format="json")

    _, token = make_sent_invitation(practice_a.practice, client_a)

    assert client_a.language == "en"
    assert '<html lang="es">' in client.get(f"/s/{token}/").content.decode()
