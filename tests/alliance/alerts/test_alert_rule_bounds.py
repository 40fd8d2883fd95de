"""Every alert-rule setting is bounded: a huge number is a field error, never a broken rule."""

import pytest

from alliance.alerts.defaults import BOUNDS

pytestmark = pytest.mark.django_db

NUMBERS = [
    (rule, field)
    for rule, fields in BOUNDS.items()
    for field, bound in fields.items()
    if bound.kind in (int, float)
]


@pytest.mark.parametrize(("rule", "field"), NUMBERS)
def test_a_setting_of_two_to_the_31_is_a_field_error(api_a, rule, field):
    response = api_a.patch("/api/v1/alert-rules/", {rule: {field: 2**31}}, format="json")

    assert response.status_code == 400
    assert f"{rule}.{field}" in response.json()["errors"]


def test_the_schema_shows_each_settings_bounds(api_a):
    schema = api_a.get("/api/v1/schema/?format=json").json()
    escalation = schema["components"]["schemas"]["EscalationRule"]["properties"]

    hours = BOUNDS["escalation"]["red_unacknowledged_hours"]
    assert escalation["red_unacknowledged_hours"]["minimum"] == hours.low
    assert escalation["red_unacknowledged_hours"]["maximum"] == hours.high
