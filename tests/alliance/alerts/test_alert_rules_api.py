import pytest

from alliance.alerts.defaults import DEFAULT_RULES
from tests.factories import make_response

pytestmark = pytest.mark.django_db


def test_a_practice_starts_with_the_clinical_references_defaults(api_a):
    assert api_a.get("/api/v1/alert-rules/").json() == DEFAULT_RULES


def test_patch_changes_only_the_named_settings(api_a, api_b):
    response = api_a.patch(
        "/api/v1/alert-rules/",
        {"drop": {"alert_at": 3.0}, "low_score": {"enabled": False}},
        format="json",
    )

    body = response.json()
    assert response.status_code == 200
    assert body["drop"] == DEFAULT_RULES["drop"] | {"alert_at": 3.0}
    assert body["low_score"]["enabled"] is False
    assert api_a.get("/api/v1/alert-rules/").json() == body
    assert api_b.get("/api/v1/alert-rules/").json() == DEFAULT_RULES


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"drop": {"alert_at": 0}}, "drop.alert_at"),
        ({"drop": {"alert_at": "high"}}, "drop.alert_at"),
        ({"drop": {"prompt_at": 3.0, "alert_at": 2.0}}, "drop.alert_at"),
        ({"no_progress": {"severity": "purple"}}, "no_progress.severity"),
        ({"non_response": {"consecutive_expired": 0}}, "non_response.consecutive_expired"),
        ({"non_response": {"consecutive_expired": 2.5}}, "non_response.consecutive_expired"),
        ({"escalation": {"red_unacknowledged_hours": 0}}, "escalation.red_unacknowledged_hours"),
        ({"escalation": {"anything": 3}}, "escalation.anything"),
        ({"low_score": {"enabled": "yes"}}, "low_score.enabled"),
        ({"nonsense": {}}, "nonsense"),
        ({"drop": 3}, "drop"),
    ],
)
def test_invalid_settings_are_field_errors(api_a, change, field):
    response = api_a.patch("/api/v1/alert-rules/", change, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert api_a.get("/api/v1/alert-rules/").json() == DEFAULT_RULES


def test_a_disabled_rule_raises_nothing(api_a, practice_a, client_a):
    api_a.patch("/api/v1/alert-rules/", {"discuss_request": {"enabled": False}}, format="json")

    make_response(practice_a.practice, client_a, discuss_request=True)

    assert api_a.get("/api/v1/alerts/").json()["results"] == []


def test_changing_one_rule_keeps_what_was_set_for_another(api_a):
    api_a.patch("/api/v1/alert-rules/", {"non_response": {"enabled": False}}, format="json")

    body = api_a.patch(
        "/api/v1/alert-rules/", {"escalation": {"red_unacknowledged_hours": 24}}, format="json"
    ).json()

    assert body["non_response"]["enabled"] is False
    assert body["escalation"]["red_unacknowledged_hours"] == 24
