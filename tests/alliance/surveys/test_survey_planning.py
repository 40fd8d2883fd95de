"""Which completed sessions get a survey, and when it is sent."""

from datetime import UTC, datetime, time

import pytest
import time_machine

from alliance.models import SurveyInvitation
from alliance.surveys.services import next_send_time_outside_quiet_hours
from practice import services
from practice.tenancy import practice_scope
from tests.factories import make_client, make_session, set_survey_policy

pytestmark = pytest.mark.django_db

NO_QUIET_HOURS = {"quiet_hours_start": None, "quiet_hours_end": None}


def _complete(practice, session, at="2026-05-04T10:00:00Z"):
    with time_machine.travel(at, tick=False), practice_scope(practice):
        services.session_complete(session=session)


def _invitations(practice, **filters):
    with practice_scope(practice):
        return list(SurveyInvitation.objects.filter(**filters).order_by("send_at"))


def test_completing_a_session_plans_one_survey_after_the_policy_delay(practice_a, session_a):
    practice = practice_a.practice
    set_survey_policy(practice, send_delay_minutes=90, **NO_QUIET_HOURS)

    _complete(practice, session_a)

    (invitation,) = _invitations(practice)
    assert invitation.status == "planned"
    assert invitation.session_id == session_a.pk
    assert invitation.instrument.code == "alliance-check"
    assert invitation.send_at == datetime(2026, 5, 4, 11, 30, tzinfo=UTC)


def test_completing_again_plans_nothing_more(practice_a, api_a, session_a):
    api_a.post(f"/api/v1/sessions/{session_a.pk}/complete/")
    api_a.post(f"/api/v1/sessions/{session_a.pk}/complete/")

    assert len(_invitations(practice_a.practice)) == 1


@pytest.mark.parametrize("action", ["cancel", "no-show"])
def test_cancelled_and_missed_sessions_plan_nothing(api_a, practice_a, session_a, action):
    api_a.post(f"/api/v1/sessions/{session_a.pk}/{action}/")

    assert _invitations(practice_a.practice) == []


def test_a_client_without_survey_consent_gets_no_survey(practice_a):
    client = make_client(practice_a.practice, survey_consent=False)

    _complete(practice_a.practice, make_session(practice_a.practice, client=client))

    assert _invitations(practice_a.practice) == []


def test_a_discharged_client_gets_no_survey(practice_a, api_a, client_a, session_a):
    api_a.patch(f"/api/v1/clients/{client_a.pk}/", {"status": "discharged"}, format="json")

    _complete(practice_a.practice, session_a)

    assert _invitations(practice_a.practice) == []


def test_every_nth_session_counts_completed_sessions(practice_a, client_a):
    practice = practice_a.practice
    set_survey_policy(practice, every_nth_session=2)
    sessions = [make_session(practice, client=client_a) for _ in range(4)]
    cancelled = make_session(practice, client=client_a)
    with practice_scope(practice):
        services.session_cancel(session=cancelled)

    for day, session in enumerate(sessions, start=1):
        _complete(practice, session, at=f"2026-05-{day:02d}T10:00:00Z")

    surveyed = [i.session_id for i in _invitations(practice)]
    assert surveyed == [sessions[1].pk, sessions[3].pk]


def test_minimum_days_between_surveys_skips_sessions_too_soon(practice_a, client_a):
    practice = practice_a.practice
    set_survey_policy(practice, min_days_between=7, **NO_QUIET_HOURS)
    days = ["2026-05-01", "2026-05-05", "2026-05-08", "2026-05-09"]
    sessions = [make_session(practice, client=client_a) for _ in days]

    for day, session in zip(days, sessions, strict=True):
        _complete(practice, session, at=f"{day}T10:00:00Z")

    surveyed = [i.session_id for i in _invitations(practice)]
    assert surveyed == [sessions[0].pk, sessions[2].pk]


def test_a_send_inside_quiet_hours_moves_to_their_end_in_the_clients_zone(practice_a):
    practice = practice_a.practice
    client = make_client(practice, timezone_name="Europe/Madrid")
    set_survey_policy(practice, send_delay_minutes=60)  # quiet hours 21:00-08:00 by default

    # 20:30 in Madrid (CEST, UTC+2); an hour later is inside the quiet hours.
    _complete(practice, make_session(practice, client=client), at="2026-05-04T18:30:00Z")

    (invitation,) = _invitations(practice)
    assert invitation.send_at == datetime(2026, 5, 5, 6, 0, tzinfo=UTC)  # 08:00 in Madrid


def test_quiet_hours_after_midnight_end_the_same_morning(practice_a):
    practice = practice_a.practice
    client = make_client(practice, timezone_name="America/New_York")
    set_survey_policy(practice, send_delay_minutes=60)

    # 23:30 in New York (EDT, UTC-4): the survey would go at 00:30, inside the quiet hours.
    _complete(practice, make_session(practice, client=client), at="2026-05-05T03:30:00Z")

    (invitation,) = _invitations(practice)
    assert invitation.send_at == datetime(2026, 5, 5, 12, 0, tzinfo=UTC)  # 08:00 in New York


def test_quiet_hours_end_by_the_wall_clock_across_a_daylight_saving_change(practice_a):
    practice = practice_a.practice
    client = make_client(practice, timezone_name="Europe/Madrid")
    set_survey_policy(practice, send_delay_minutes=60)

    # 22:00 in Madrid on the night clocks go forward (CET to CEST at 02:00 on 29 March).
    _complete(practice, make_session(practice, client=client), at="2026-03-28T21:00:00Z")

    (invitation,) = _invitations(practice)
    assert invitation.send_at == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST


def test_a_send_outside_quiet_hours_keeps_its_time():
    moment = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)

    assert next_send_time_outside_quiet_hours(moment, "UTC", time(21), time(8)) == moment


def test_quiet_hours_within_one_day_also_work():
    lunch = datetime(2026, 5, 4, 12, 15, tzinfo=UTC)

    moved = next_send_time_outside_quiet_hours(lunch, "UTC", time(12), time(13))

    assert moved == datetime(2026, 5, 4, 13, 0, tzinfo=UTC)
