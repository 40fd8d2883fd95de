"""Survey emails: one per invitation, a working one-time link, nothing personal in the subject."""

import pytest
import time_machine
from django.core import mail

from alliance.models import SurveyInvitation, SurveyLink
from alliance.surveys import tasks
from practice.tenancy import practice_scope
from practice.tokens import hash_token
from tests.factories import (
    SEND_AT_ONCE,
    deliver_outbox,
    make_client,
    make_sent_invitation,
    make_session,
    set_survey_policy,
    token_from_email,
)

pytestmark = pytest.mark.django_db


def test_a_session_completed_over_the_api_emails_the_client_a_survey_link(
    api_a, practice_a, client_a, session_a, django_capture_on_commit_callbacks
):
    set_survey_policy(practice_a.practice, **SEND_AT_ONCE)

    with django_capture_on_commit_callbacks(execute=True):
        api_a.post(f"/api/v1/sessions/{session_a.pk}/complete/")

    (message,) = mail.outbox
    assert message.to == [client_a.email]
    assert f"http://127.0.0.1:8000/s/{token_from_email(message)}/" in message.body
    invitation = api_a.get("/api/v1/survey-invitations/").json()["results"][0]
    assert invitation["status"] == "sent"


def test_the_subject_carries_no_name(practice_a, client_a):
    make_sent_invitation(practice_a.practice, client_a)

    (message,) = mail.outbox
    assert message.subject == "A short question about your last session"
    assert client_a.name not in message.subject
    assert client_a.clinician.name not in message.subject


def test_the_email_names_the_practice_and_the_clinicians_first_name_only(practice_a, client_a):
    make_sent_invitation(practice_a.practice, client_a)

    body = mail.outbox[0].body
    assert "Alma" in body
    assert "Ortiz" not in body
    assert practice_a.practice.name in body
    assert client_a.name not in body


def test_the_email_offers_an_unsubscribe_link_and_header(practice_a, client_a):
    make_sent_invitation(practice_a.practice, client_a)

    message = mail.outbox[0]
    stop_url = f"http://127.0.0.1:8000/s/{token_from_email(message)}/stop/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{stop_url}>"
    assert stop_url in message.body
    assert message.alternatives[0][1] == "text/html"


def test_a_spanish_speaking_client_gets_the_email_in_spanish(practice_a):
    client = make_client(practice_a.practice, language="es")

    make_sent_invitation(practice_a.practice, client)

    assert mail.outbox[0].subject == "Una pregunta breve sobre tu última sesión"


def test_only_a_hash_of_the_link_token_is_stored(practice_a, client_a):
    invitation, token = make_sent_invitation(practice_a.practice, client_a)

    link = SurveyLink.across_practices_unsafe.get(invitation=invitation)
    assert link.token_hash == hash_token(token)
    assert len(token) >= 43  # 256 random bits, base64url
    stored = str(list(SurveyLink.across_practices_unsafe.values()))
    assert token not in stored


def test_the_beat_job_sends_what_has_come_due_and_nothing_early(practice_a, client_a):
    practice = practice_a.practice
    set_survey_policy(
        practice, send_delay_minutes=120, quiet_hours_start=None, quiet_hours_end=None
    )
    session = make_session(practice, client=client_a)
    with time_machine.travel("2026-05-04T10:00:00Z", tick=False):
        from practice import services

        with practice_scope(practice):
            services.session_complete(session=session)
        tasks.send_due_invitations()
    early = len(mail.outbox)

    with time_machine.travel("2026-05-04T12:00:01Z", tick=False):
        tasks.send_due_invitations()
        tasks.send_due_invitations()
        deliver_outbox()

    assert early == 0
    assert len(mail.outbox) == 1


def test_a_client_who_withdrew_consent_before_sending_gets_nothing(practice_a, api_a, client_a):
    practice = practice_a.practice
    set_survey_policy(practice, send_delay_minutes=60, quiet_hours_start=None, quiet_hours_end=None)
    session = make_session(practice, client=client_a)
    api_a.post(f"/api/v1/sessions/{session.pk}/complete/")
    api_a.patch(f"/api/v1/clients/{client_a.pk}/", {"survey_consent": False}, format="json")

    with time_machine.travel("2099-01-01T00:00:00Z"):
        tasks.send_due_invitations()
        deliver_outbox()

    assert mail.outbox == []
    assert SurveyInvitation.across_practices_unsafe.get().status == "cancelled"


def test_one_reminder_comes_with_a_link_of_its_own(practice_a, client_a):
    practice = practice_a.practice
    set_survey_policy(practice, reminder_after_hours=24)
    with time_machine.travel("2026-05-04T10:00:00Z", tick=False):
        invitation, first_token = make_sent_invitation(practice, client_a)

    with time_machine.travel("2026-05-05T10:00:01Z", tick=False):
        tasks.send_due_reminders()
        tasks.send_due_reminders()
        deliver_outbox()

    assert len(mail.outbox) == 2
    reminder = mail.outbox[1]
    assert reminder.subject.startswith("Reminder:")
    assert token_from_email(reminder) != first_token
    assert SurveyLink.across_practices_unsafe.filter(invitation=invitation).count() == 2


def test_the_beat_job_expires_unanswered_invitations(practice_a, client_a):
    with time_machine.travel("2026-05-04T10:00:00Z", tick=False):
        invitation, _ = make_sent_invitation(practice_a.practice, client_a)

    with time_machine.travel("2026-05-07T10:00:01Z", tick=False):  # 72 hours by default
        tasks.expire_overdue_invitations()

    invitation.refresh_from_db()
    assert invitation.status == "expired"
