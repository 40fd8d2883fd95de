"""A survey email that fails for good closes its invitation as `failed`: not `sent`, and never
counted as the client's non-response."""

import smtplib
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings

from alliance.surveys import tasks as survey_tasks
from notifications import services as notification_services
from notifications.models import OutboxMessage
from practice.tenancy import practice_scope
from tests.factories import deliver_outbox, make_sent_invitation, send_survey, token_from_email

pytestmark = pytest.mark.django_db


def _refuse(backend, emails):
    raise smtplib.SMTPRecipientsRefused({emails[0].to[0]: (550, b"5.1.1 no such user")})


@pytest.fixture
def refused_mail(monkeypatch):
    """Within it, the mail server refuses the recipient for good (550: no such user)."""

    @contextmanager
    def refusing():
        with monkeypatch.context() as patch:
            patch.setattr(EmailBackend, "send_messages", _refuse)
            yield

    return refusing


def test_a_refused_survey_email_closes_the_invitation_as_failed(
    api_a, practice_a, client_a, refused_mail
):
    with refused_mail():
        invitation = send_survey(practice_a.practice, client_a)

    listed = api_a.get("/api/v1/survey-invitations/", {"status": "failed"}).json()["results"]
    assert [i["id"] for i in listed] == [str(invitation.pk)]
    assert invitation.status == "failed"


@override_settings(OUTBOX_MAX_ATTEMPTS=1)
def test_a_survey_email_out_of_attempts_closes_the_invitation_as_failed(
    practice_a, client_a, monkeypatch
):
    def disconnect(backend, emails):
        raise smtplib.SMTPServerDisconnected("the server hung up")

    monkeypatch.setattr(EmailBackend, "send_messages", disconnect)

    assert send_survey(practice_a.practice, client_a).status == "failed"


def test_a_failed_survey_never_counts_toward_non_response(
    api_a, practice_a, client_a, refused_mail, django_capture_on_commit_callbacks
):
    for day in (4, 11, 18):
        with time_machine.travel(datetime(2026, 5, day, 10, tzinfo=UTC), tick=False):
            if day == 11:
                with refused_mail():
                    send_survey(practice_a.practice, client_a)
                # The refused address went on the suppression list; the client gave it again.
                [suppressed] = api_a.get("/api/v1/suppressions/").json()["results"]
                api_a.delete(f"/api/v1/suppressions/{suppressed['id']}/")
            else:
                make_sent_invitation(practice_a.practice, client_a)
        with (
            time_machine.travel(datetime(2026, 5, day + 4, 10, tzinfo=UTC), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            survey_tasks.expire_overdue_invitations()

    statuses = [i["status"] for i in api_a.get("/api/v1/survey-invitations/").json()["results"]]
    assert sorted(statuses) == ["expired", "expired", "failed"]
    assert api_a.get("/api/v1/alerts/").json()["results"] == []


def test_an_admins_retry_of_a_failed_survey_email_reopens_the_invitation(
    client, api_a, practice_a, client_a, refused_mail
):
    with refused_mail():
        invitation = send_survey(practice_a.practice, client_a)
    message = OutboxMessage.across_practices_unsafe.get(kind="survey_invitation")
    # The refused address went on the suppression list; the client gave it again.
    [suppressed] = api_a.get("/api/v1/suppressions/").json()["results"]
    api_a.delete(f"/api/v1/suppressions/{suppressed['id']}/")

    with practice_scope(practice_a.practice):
        notification_services.message_retry(message=message)
    deliver_outbox()

    invitation.refresh_from_db()
    assert invitation.status == "sent"
    survey_page = client.get(f"/s/{token_from_email(mail.outbox[-1])}/")
    assert survey_page.status_code == 200
