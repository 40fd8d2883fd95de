"""The daily brief: at the practice's brief hour in each clinician's own time zone, one email on
days whose sessions include clients with open alerts or prompts, and nothing on other days."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from alliance.alerts import tasks
from practice.services import practice_update
from practice.tenancy import practice_scope
from tests import factories
from tests.alliance.alerts.pages import make_alert

pytestmark = pytest.mark.django_db

# Practice A is in Europe/Madrid: 07:30 there is 06:30 UTC in winter.
MORNING = datetime(2026, 12, 7, 6, 31, tzinfo=UTC)
BEFORE_THE_HOUR = datetime(2026, 12, 7, 6, 29, tzinfo=UTC)
AFTERNOON = MORNING + timedelta(hours=8)


def _book_session(practice_a, client, at=AFTERNOON):
    return factories.make_session(practice_a.practice, client=client, starts_at=at)


def _briefs():
    tasks.send_due_briefs()
    factories.deliver_outbox()
    return [m for m in mail.outbox if "something to discuss" in m.subject]


@pytest.fixture
def client_with_alert(practice_a, client_a):
    with time_machine.travel(MORNING - timedelta(days=3)):
        make_alert(practice_a.practice, client_a)
    mail.outbox.clear()
    return client_a


def test_it_emails_the_clinician_a_count_and_a_link_on_a_day_with_something_to_discuss(
    practice_a, client_with_alert
):
    _book_session(practice_a, client_with_alert)

    with time_machine.travel(MORNING):
        (brief,) = _briefs()

    assert brief.to == [client_with_alert.clinician.email]
    assert "1 session" in brief.subject
    assert "/app/" in brief.body
    assert client_with_alert.name not in brief.subject + brief.body


def test_it_sends_nothing_before_the_hour(practice_a, client_with_alert):
    _book_session(practice_a, client_with_alert)

    with time_machine.travel(BEFORE_THE_HOUR):
        assert _briefs() == []


def test_it_sends_once_a_day(practice_a, client_with_alert):
    _book_session(practice_a, client_with_alert)

    with time_machine.travel(MORNING):
        _briefs()
    with time_machine.travel(MORNING + timedelta(hours=1)):
        assert len(_briefs()) == 1


def test_it_sends_nothing_on_a_day_with_nothing_to_discuss(practice_a, client_a):
    _book_session(practice_a, client_a)

    with time_machine.travel(MORNING):
        assert _briefs() == []


def test_it_sends_nothing_on_a_day_without_those_clients_sessions(practice_a, client_with_alert):
    _book_session(practice_a, client_with_alert, at=AFTERNOON + timedelta(days=1))

    with time_machine.travel(MORNING):
        assert _briefs() == []


def test_it_follows_the_clinicians_own_time_zone_and_the_practices_hour(
    practice_a, client_with_alert, clinician_a
):
    with practice_scope(practice_a.practice):
        practice_update(practice=practice_a.practice, brief_hour="09:00")
    clinician_a.timezone = "America/New_York"
    clinician_a.save(update_fields=["timezone"])
    _book_session(practice_a, client_with_alert, at=datetime(2026, 12, 7, 19, tzinfo=UTC))

    with time_machine.travel(datetime(2026, 12, 7, 13, 59, tzinfo=UTC)):  # 08:59 in New York
        assert _briefs() == []
    with time_machine.travel(datetime(2026, 12, 7, 14, 1, tzinfo=UTC)):
        assert len(_briefs()) == 1
