"""Alerts as a practice sees them: raised from answers, deduplicated, acknowledged, escalated."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.alerts import evaluation, selectors
from alliance.alerts import tasks as alert_tasks
from alliance.alerts.defaults import merged_rules
from alliance.alerts.services import alert_rules_update, alerts_evaluate_for_response
from alliance.models import Alert, Instrument, SurveyInvitation, SurveyResponse
from alliance.surveys import tasks as survey_tasks
from practice.models import Session
from practice.tenancy import practice_scope
from tests.factories import (
    deliver_outbox,
    make_client,
    make_response,
    make_sent_invitation,
    make_session,
)

pytestmark = pytest.mark.django_db

HIGH = {"comfort": 10, "respect": 10, "heard": 10, "goals": 10, "progress": 10}
LOW = {"comfort": 8, "respect": 9, "heard": 7, "goals": 8, "progress": 6}  # 38


def _answer(practice_a, client_a, answers, day, **fields):
    moment = datetime(2026, 5, 1, 10, tzinfo=UTC) + timedelta(days=day - 1)
    with time_machine.travel(moment, tick=False):
        return make_response(practice_a.practice, client_a, answers=answers, **fields)


def _alerts(api, **filters):
    return api.get("/api/v1/alerts/", filters).json()["results"]


def _high_then(practice_a, client_a, answers, *, first_day=4):
    """Three high answers a week apart, then `answers`, a week later."""
    for day in (first_day, first_day + 7, first_day + 14):
        _answer(practice_a, client_a, HIGH, day=day)
    return _answer(practice_a, client_a, answers, day=first_day + 21)


def _clear_mail() -> None:
    """Deliver what the outbox holds, then forget it."""
    deliver_outbox()
    mail.outbox.clear()


def _clinician_emails(client) -> list:
    deliver_outbox()
    return [m for m in mail.outbox if m.to == [client.clinician.email]]


def test_a_fall_against_the_clients_own_level_is_an_alert_with_its_evidence_in_words(
    api_a, practice_a, client_a
):
    low = _high_then(practice_a, client_a, LOW)

    alerts = {a["kind"]: a for a in _alerts(api_a)}

    assert set(alerts) == {"low_score", "drop"}
    assert alerts["low_score"]["severity"] == "prompt"
    assert alerts["drop"]["severity"] == "amber"
    assert (alerts["drop"]["evidence"]["baseline_mean"], alerts["drop"]["evidence"]["total"]) == (
        50,
        38,
    )
    assert alerts["drop"]["explanation"].startswith("fell from an average of 50.0 to 38.0;")
    assert alerts["drop"]["session"] == str(low.session_id)
    assert alerts["drop"]["clinician"] == str(client_a.clinician_id)


def test_the_evidence_reads_in_the_readers_language(api_a, practice_a, client_a):
    _high_then(practice_a, client_a, LOW)

    (drop,) = api_a.get("/api/v1/alerts/", {"kind": "drop"}, HTTP_ACCEPT_LANGUAGE="es").json()[
        "results"
    ]

    assert drop["explanation"].startswith("bajó de un promedio de 50,0 a 38,0;")


def test_only_the_alert_is_emailed_a_link_with_no_name_or_score(api_a, practice_a, client_a):
    _high_then(practice_a, client_a, LOW)
    mail.outbox.clear()  # the survey emails; what the evaluation queued is still to go

    (email,) = _clinician_emails(client_a)

    (drop,) = _alerts(api_a, kind="drop")
    link = f"/app/alerts/{drop['id']}/"
    assert link in email.body
    for private in (client_a.name, "38", "drop"):
        assert private not in email.subject
        assert private not in email.body.replace(link, "")


def test_a_low_answer_is_a_prompt_that_is_never_emailed(api_a, practice_a, client_a):
    _answer(practice_a, client_a, LOW, day=4)
    mail.outbox.clear()  # the survey emails; what the evaluation queued is still to go

    (prompt,) = _alerts(api_a)

    assert (prompt["kind"], prompt["severity"], prompt["status"]) == ("low_score", "prompt", "open")
    assert _clinician_emails(client_a) == []
    assert _alerts(api_a, severity="prompt") == [prompt]


def test_a_prompt_closes_by_itself_when_the_clients_next_session_completes(
    api_a, practice_a, client_a
):
    _answer(practice_a, client_a, LOW, day=4)
    session = make_session(practice_a.practice, client=client_a)

    api_a.post(f"/api/v1/sessions/{session.pk}/complete/")

    (prompt,) = _alerts(api_a)
    assert (prompt["status"], prompt["resolved_by"]) == ("resolved", "the client's next session")


def test_the_next_session_leaves_alerts_open(api_a, practice_a, client_a):
    _answer(practice_a, client_a, HIGH, day=4, discuss_request=True)
    session = make_session(practice_a.practice, client=client_a)

    api_a.post(f"/api/v1/sessions/{session.pk}/complete/")

    (alert,) = _alerts(api_a)
    assert alert["status"] == "open"


def test_answers_far_below_the_cut_off_twice_in_a_row_are_an_emailed_alert(
    api_a, practice_a, client_a
):
    very_low = dict.fromkeys(HIGH, 6)  # 30, more than 10 points below 45
    _answer(practice_a, client_a, very_low, day=4)
    _clear_mail()
    _answer(practice_a, client_a, very_low, day=11)

    (alert,) = _alerts(api_a, kind="low_score", status="open")

    assert (alert["severity"], alert["evidence"]["consecutive"]) == ("amber", 2)
    assert len(_clinician_emails(client_a)) == 1


def test_a_new_fall_after_an_acknowledged_recovery_reopens_the_alert_and_emails(
    api_a, practice_a, client_a
):
    _high_then(practice_a, client_a, LOW)
    (drop,) = _alerts(api_a, kind="drop")
    api_a.post(f"/api/v1/alerts/{drop['id']}/acknowledge/")
    _answer(practice_a, client_a, HIGH, day=32)
    _answer(practice_a, client_a, HIGH, day=39)
    _clear_mail()

    _answer(practice_a, client_a, LOW, day=46)

    (reopened,) = _alerts(api_a, kind="drop")
    assert reopened["id"] == drop["id"]
    assert (reopened["status"], reopened["acknowledged_at"]) == ("open", None)
    assert len(_clinician_emails(client_a)) == 1


def test_an_acknowledged_alert_stays_quiet_while_nothing_new_happens(api_a, practice_a, client_a):
    _answer(practice_a, client_a, HIGH, day=4, discuss_request=True)
    (alert,) = _alerts(api_a)
    api_a.post(f"/api/v1/alerts/{alert['id']}/acknowledge/")
    _clear_mail()

    _answer(practice_a, client_a, HIGH, day=11)

    assert _alerts(api_a)[0]["status"] == "acknowledged"
    assert _clinician_emails(client_a) == []


def test_a_resolved_alert_can_fire_again(api_a, practice_a, client_a):
    _answer(practice_a, client_a, HIGH, day=4, discuss_request=True)
    (first,) = _alerts(api_a)
    api_a.post(
        f"/api/v1/alerts/{first['id']}/resolve/", {"note": "Talked it through"}, format="json"
    )

    _answer(practice_a, client_a, HIGH, day=11, discuss_request=True)

    assert len(_alerts(api_a, kind="discuss_request")) == 2
    assert len(_alerts(api_a, kind="discuss_request", status="open")) == 1


def test_acknowledging_and_resolving_record_the_keys_name_when_and_a_note(
    api_a, practice_a, client_a
):
    _answer(practice_a, client_a, HIGH, day=4, discuss_request=True)
    alert_id = _alerts(api_a)[0]["id"]

    acknowledged = api_a.post(
        f"/api/v1/alerts/{alert_id}/acknowledge/", {"by": "Someone typed this"}, format="json"
    ).json()
    resolved = api_a.post(
        f"/api/v1/alerts/{alert_id}/resolve/", {"note": "Repaired."}, format="json"
    ).json()
    again = api_a.post(f"/api/v1/alerts/{alert_id}/resolve/", {}, format="json")
    late_ack = api_a.post(f"/api/v1/alerts/{alert_id}/acknowledge/", {}, format="json")

    assert (acknowledged["status"], acknowledged["acknowledged_by"]) == (
        "acknowledged",
        "API key “Default key”",
    )
    assert (resolved["status"], resolved["resolved_note"]) == ("resolved", "Repaired.")
    assert [(a["kind"], a["by"]["type"], a["by"]["name"]) for a in resolved["actions"]] == [
        ("acknowledged", "api_key", "Default key"),
        ("resolved", "api_key", "Default key"),
    ]
    assert again.status_code == 200
    assert late_ack.status_code == 409


def test_a_new_episode_starts_a_new_baseline(api_a, practice_a, client_a):
    for day in (1, 2, 3):
        _answer(practice_a, client_a, HIGH, day=day)
    with time_machine.travel(datetime(2026, 5, 8, tzinfo=UTC)):
        api_a.post(f"/api/v1/clients/{client_a.pk}/new-episode/")

    _answer(practice_a, client_a, LOW, day=11)

    assert {a["kind"] for a in _alerts(api_a)} == {"low_score"}


def test_a_client_back_after_discharge_starts_a_new_episode(api_a, practice_a, client_a):
    for day in (1, 2, 3):
        _answer(practice_a, client_a, HIGH, day=day)
    api_a.patch(f"/api/v1/clients/{client_a.pk}/", {"status": "discharged"}, format="json")
    with time_machine.travel(datetime(2026, 5, 8, tzinfo=UTC)):
        api_a.patch(f"/api/v1/clients/{client_a.pk}/", {"status": "active"}, format="json")

    _answer(practice_a, client_a, LOW, day=11)

    assert "drop" not in {a["kind"] for a in _alerts(api_a)}


def test_asking_to_talk_raises_a_red_alert(api_a, practice_a, client_a):
    _answer(practice_a, client_a, HIGH, day=4, discuss_request=True)

    (alert,) = _alerts(api_a)
    assert (alert["kind"], alert["severity"]) == ("discuss_request", "red")


def test_three_unanswered_surveys_in_a_row_raise_non_response(
    api_a, practice_a, client_a, django_capture_on_commit_callbacks
):
    for day in (4, 11, 18):
        with time_machine.travel(datetime(2026, 5, day, 10, tzinfo=UTC), tick=False):
            make_sent_invitation(practice_a.practice, client_a)
        with (
            time_machine.travel(datetime(2026, 5, day + 4, 10, tzinfo=UTC), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            survey_tasks.expire_overdue_invitations()
        if day < 18:
            assert _alerts(api_a) == []

    (alert,) = _alerts(api_a)
    assert (alert["kind"], alert["severity"]) == ("non_response", "amber")
    assert len(alert["evidence"]["invitations"]) == 3
    assert alert["explanation"] == "3 surveys in a row expired unanswered"


def test_six_months_of_low_progress_raises_no_progress(api_a, practice_a, client_a):
    stuck = HIGH | {"progress": 5}
    for month in range(1, 8):
        with time_machine.travel(datetime(2026, month, 3, 10, tzinfo=UTC), tick=False):
            make_response(practice_a.practice, client_a, answers=stuck)

    (alert,) = _alerts(api_a, kind="no_progress")
    assert alert["evidence"]["progress_values"] == [5, 5, 5, 5, 5, 5, 5]


def test_a_red_alert_unacknowledged_for_48_hours_is_escalated_to_owners(
    practice_a, client_a, owner_a
):
    _answer(practice_a, client_a, HIGH, day=4, discuss_request=True)
    deliver_outbox()  # the clinician's own alert email
    mail.outbox.clear()

    with time_machine.travel(datetime(2026, 5, 6, 9, 59, tzinfo=UTC), tick=False):
        alert_tasks.escalate_unacknowledged_red_alerts()
        deliver_outbox()
    early = len(mail.outbox)
    with time_machine.travel(datetime(2026, 5, 6, 10, 1, tzinfo=UTC), tick=False):
        alert_tasks.escalate_unacknowledged_red_alerts()
        alert_tasks.escalate_unacknowledged_red_alerts()
        deliver_outbox()

    assert early == 0
    (escalation,) = mail.outbox
    assert escalation.to == [owner_a.email]
    assert "/app/alerts/" in escalation.body
    assert client_a.name not in escalation.body


def test_an_acknowledged_red_alert_is_not_escalated(api_a, practice_a, client_a):
    _answer(practice_a, client_a, HIGH, day=4, discuss_request=True)
    api_a.post(f"/api/v1/alerts/{_alerts(api_a)[0]['id']}/acknowledge/")
    deliver_outbox()  # the clinician's own alert email
    mail.outbox.clear()

    with time_machine.travel(datetime(2026, 5, 9, tzinfo=UTC)):
        alert_tasks.escalate_unacknowledged_red_alerts()
        deliver_outbox()

    assert mail.outbox == []


def _history(practice, client, count: int) -> SurveyResponse:
    """`count` answers made straight in the database (the rules only read them)."""
    instrument = Instrument.across_practices_unsafe.get(code="alliance-check", practice=None)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    sessions = Session.across_practices_unsafe.bulk_create(
        Session(
            practice=practice,
            client=client,
            clinician_id=client.clinician_id,
            starts_at=start + timedelta(days=n),
            sequence=n + 1,
            status="completed",
        )
        for n in range(count)
    )
    invitations = SurveyInvitation.across_practices_unsafe.bulk_create(
        SurveyInvitation(
            practice=practice,
            client=client,
            session=s,
            instrument=instrument,
            status="completed",
            send_at=s.starts_at,
        )
        for s in sessions
    )
    responses = SurveyResponse.across_practices_unsafe.bulk_create(
        SurveyResponse(
            practice=practice,
            client=client,
            session=i.session,
            invitation=i,
            instrument=instrument,
            answers=HIGH,
            total=50,
            mean=10,
            answered_at=i.send_at + timedelta(hours=1),
        )
        for i in invitations
    )
    return responses[-1]


def test_evaluating_the_rules_takes_the_same_queries_for_3_or_300_answers(
    practice_a, client_a, practice_b
):
    counts = []
    for practice, count in ((practice_a.practice, 3), (practice_b.practice, 300)):
        client = client_a if count == 3 else make_client(practice)
        latest = _history(practice, client, count)
        with practice_scope(practice), CaptureQueriesContext(connection) as queries:
            alerts_evaluate_for_response(response_id=latest.pk)
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert Alert.across_practices_unsafe.count() == 0


@pytest.mark.parametrize(
    ("window_days", "answers_read"),
    [(30, evaluation.answers_in_view(merged_rules({}))), (183, 184)],
)
def test_a_long_history_is_read_only_as_far_back_as_the_rules_see(
    practice_a, client_a, window_days, answers_read
):
    latest = _history(practice_a.practice, client_a, 300)  # one answer a day
    with practice_scope(practice_a.practice):
        alert_rules_update(settings={"no_progress": {"window_days": window_days}})
        response = SurveyResponse.objects.select_related("instrument", "client").get(pk=latest.pk)
        read = selectors.episode_history(response, settings=selectors.alert_rules())
        episode = SurveyResponse.objects.order_by("answered_at").values_list("pk", flat=True)

    assert [answer.response_id for answer in read] == [str(pk) for pk in episode][-answers_read:]


def test_a_fall_after_300_steady_answers_is_measured_against_the_level_before_it(
    api_a, practice_a, client_a
):
    _history(practice_a.practice, client_a, 300)

    _answer(practice_a, client_a, LOW, day=4)

    (drop,) = _alerts(api_a, kind="drop")
    assert (drop["severity"], drop["evidence"]["baseline_mean"], drop["evidence"]["total"]) == (
        "red",
        50,
        38,
    )


def test_an_answer_whose_evaluation_was_lost_is_evaluated_by_beat(api_a, practice_a, client_a):
    response = _answer(practice_a, client_a, HIGH, day=4, discuss_request=True)
    Alert.across_practices_unsafe.all().delete()
    SurveyResponse.across_practices_unsafe.filter(pk=response.pk).update(alerts_evaluated_at=None)

    with time_machine.travel(datetime(2026, 5, 4, 10, 2, tzinfo=UTC)):
        alert_tasks.evaluate_missed_alert_rules()
        alert_tasks.evaluate_missed_alert_rules()

    assert [a["kind"] for a in _alerts(api_a)] == ["discuss_request"]


def test_a_practice_with_its_own_alert_page_gets_links_to_it(api_a, practice_a, client_a):
    practice_a.practice.alert_url_template = "https://records.example.org/alerts/{alert_id}"
    practice_a.practice.save()
    _answer(practice_a, client_a, HIGH, day=4, discuss_request=True)
    mail.outbox.clear()

    deliver_outbox()

    alert_id = _alerts(api_a)[0]["id"]
    assert f"https://records.example.org/alerts/{alert_id}" in mail.outbox[0].body
