"""POST /api/v1/alert-rules/preview/: proposed settings replayed over the practice's answers."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from alliance.models import Alert, AlertRules
from notifications.models import OutboxMessage
from practice.tenancy import practice_scope
from tests.conftest import api_client_for
from tests.factories import deliver_outbox, make_response

pytestmark = pytest.mark.django_db

HIGH = {"comfort": 10, "respect": 10, "heard": 10, "goals": 10, "progress": 10}
DIP = {"comfort": 9, "respect": 9, "heard": 9, "goals": 9, "progress": 9}  # 45: a fall of 5


def _answers(practice, client, *answers):
    start = datetime.now(tz=UTC) - timedelta(days=40)
    for week, answer in enumerate(answers):
        with time_machine.travel(start + timedelta(days=7 * week), tick=False):
            make_response(practice, client, answers=answer)


def _preview(api, **body):
    return api.post("/api/v1/alert-rules/preview/", body, format="json")


def test_it_counts_by_kind_and_severity_under_both_settings_and_names_the_clients(
    api_a, practice_a, client_a
):
    _answers(practice_a.practice, client_a, HIGH, HIGH, HIGH, DIP, DIP)

    response = _preview(api_a, settings={"drop": {"alert_at": 6.0}})

    body = response.json()
    assert response.status_code == 200
    assert body["days"] == 90 and body["answers"] == 5 and body["simulated"] is None
    assert (
        body["current"]["by_kind"]["drop"]["amber"] + body["current"]["by_kind"]["drop"]["red"] == 1
    )
    # Each of the two lower answers is a prompt of its own: the session between closes the first.
    assert body["proposed"]["by_kind"]["drop"] == {"prompt": 2, "amber": 0, "red": 0}
    assert body["proposed"]["emails"] < body["current"]["emails"]
    assert [c["client"] for c in body["current"]["clients"]] == [str(client_a.pk)]
    assert body["settings"]["proposed"]["drop"]["alert_at"] == 6.0
    assert body["current"]["emails_per_clinician_week"] == round(
        body["current"]["emails"] / (90 / 7), 2
    )


def test_it_sends_nothing_and_changes_nothing(api_a, practice_a, client_a):
    _answers(practice_a.practice, client_a, HIGH, HIGH, HIGH, DIP, DIP)
    deliver_outbox()
    mail.outbox.clear()
    with practice_scope(practice_a.practice):
        before = (Alert.objects.count(), OutboxMessage.objects.count())

    _preview(api_a, settings={"drop": {"alert_at": 0.5, "prompt_at": 0.1}}, days=30)

    deliver_outbox()
    with practice_scope(practice_a.practice):
        assert (Alert.objects.count(), OutboxMessage.objects.count()) == before
        assert not AlertRules.objects.exists()
    assert mail.outbox == []


def test_answers_older_than_the_window_make_the_baseline_but_raise_nothing(
    api_a, practice_a, client_a
):
    _answers(practice_a.practice, client_a, HIGH, HIGH, HIGH, DIP, DIP)

    body = _preview(api_a, days=14).json()

    assert body["answers"] == 1
    assert sum(body["current"]["by_kind"]["drop"].values()) == 1
    assert body["current"]["by_kind"]["drop"]["prompt"] == 0  # the fall began before the window


def test_a_practice_with_no_history_gets_simulated_figures(api_a):
    body = _preview(api_a, settings={"drop": {"alert_at": 4.0}}).json()

    assert body["current"] is None and body["answers"] == 0
    simulated = body["simulated"]
    assert simulated["current"]["instrument"] == "alliance-check"
    assert (
        simulated["proposed"]["emails_per_clinician_week"]
        < simulated["current"]["emails_per_clinician_week"]
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"settings": {"drop": {"alert_at": -1}}}, "drop.alert_at"),
        ({"settings": {"drop": {"unknown": 1}}}, "drop.unknown"),
        ({"days": 0}, "days"),
        ({"days": "ninety"}, "days"),
        ({"settings": "strict"}, "settings"),
    ],
)
def test_bad_settings_or_days_are_field_errors(api_a, body, field):
    response = api_a.post("/api/v1/alert-rules/preview/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_another_practices_answers_are_not_previewed(api_b, practice_a, client_a):
    _answers(practice_a.practice, client_a, HIGH, HIGH, HIGH, DIP, DIP)

    body = _preview(api_b).json()

    assert body["answers"] == 0 and body["simulated"] is not None


def test_it_needs_an_api_key(db):
    assert _preview(api_client_for(None)).status_code == 401
