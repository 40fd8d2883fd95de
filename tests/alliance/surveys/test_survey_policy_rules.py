"""The survey policy's rules hold for the API and admin alike: every number within its bounds,
quiet hours as real times, the reminder before the link expires."""

import pytest

from alliance.models import SurveyPolicy
from practice.tenancy import practice_scope
from tests.factories import set_survey_policy

pytestmark = pytest.mark.django_db

TOO_BIG = 2**31


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"min_days_between": TOO_BIG}, "min_days_between"),
        ({"send_delay_minutes": TOO_BIG}, "send_delay_minutes"),
        ({"expires_after_hours": TOO_BIG}, "expires_after_hours"),
        ({"reminder_after_hours": TOO_BIG}, "reminder_after_hours"),
        ({"every_nth_session": TOO_BIG}, "every_nth_session"),
        ({"send_delay_minutes": -1}, "send_delay_minutes"),
        ({"quiet_hours": {"start": "21:60", "end": "08:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "21:00", "end": "24:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": 2100, "end": "08:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "08:00", "end": "08:00"}}, "quiet_hours"),
        ({"language": "fr"}, "language"),
        ({"instrument": "no-such"}, "instrument"),
        ({"reminder_after_hours": 72}, "reminder_after_hours"),
    ],
)
def test_the_api_answers_a_broken_rule_with_a_field_error(api_a, change, field):
    response = api_a.patch("/api/v1/survey-policy/", change, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_the_reminder_rule_holds_against_the_expiry_already_set(api_a):
    api_a.patch("/api/v1/survey-policy/", {"reminder_after_hours": 24}, format="json")

    response = api_a.patch("/api/v1/survey-policy/", {"expires_after_hours": 24}, format="json")

    assert response.status_code == 400
    assert "reminder_after_hours" in response.json()["errors"]
    assert api_a.get("/api/v1/survey-policy/").json()["expires_after_hours"] == 72


def test_the_schema_shows_each_settings_bounds(api_a):
    schema = api_a.get("/api/v1/schema/?format=json").json()
    policy = schema["components"]["schemas"]["SurveyPolicy"]["properties"]

    assert (policy["min_days_between"]["minimum"], policy["min_days_between"]["maximum"]) == (
        0,
        365,
    )
    assert policy["expires_after_hours"]["maximum"] == 24 * 60
    language_enum = policy["language"]["oneOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][language_enum]["enum"] == ["en", "es"]
    assert "pattern" in policy["quiet_hours"]["properties"]["start"]


def _admin_form(policy: SurveyPolicy, **changes) -> dict:
    fields = {
        "instrument_code": policy.instrument_code,
        "send_delay_minutes": policy.send_delay_minutes,
        "every_nth_session": policy.every_nth_session,
        "every_n_weeks": policy.every_n_weeks,
        "min_days_between": policy.min_days_between,
        "reminder_after_hours": policy.reminder_after_hours or "",
        "expires_after_hours": policy.expires_after_hours,
        "quiet_hours_start": "21:00",
        "quiet_hours_end": "08:00",
        "language": "",
    }
    return fields | changes


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_days_between": 2**31 - 1}, "Must be between 0 and 365."),
        ({"reminder_after_hours": 72}, "The reminder must come before the link expires."),
        ({"quiet_hours_end": ""}, "Give both start and end, or null for none."),
    ],
)
def test_admin_shows_a_broken_rule_on_the_form_and_saves_nothing(
    platform_admin, practice_a, change, message
):
    policy = set_survey_policy(practice_a.practice, every_nth_session=2)

    response = platform_admin.post(
        f"/admin/alliance/surveypolicy/{policy.pk}/change/", _admin_form(policy, **change)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    with practice_scope(practice_a.practice):
        assert SurveyPolicy.objects.get().updated_at == policy.updated_at


def test_admin_saves_a_policy_through_the_same_service(platform_admin, practice_a):
    policy = set_survey_policy(practice_a.practice, every_nth_session=2)

    response = platform_admin.post(
        f"/admin/alliance/surveypolicy/{policy.pk}/change/",
        _admin_form(policy, min_days_between=7),
    )

    assert response.status_code == 302
    with practice_scope(practice_a.practice):
        assert SurveyPolicy.objects.get().min_days_between == 7
