"""Email that knows its fate: refusals, bounces and complaints suppress the address, close the
survey as `failed` and are announced by `message.failed`; the sender is the practice."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.core import mail

from alliance.models import SurveyInvitation
from alliance.surveys import tasks
from notifications.models import OutboxMessage, SuppressedAddress
from tests.factories import (
    SEND_AT_ONCE,
    deliver_outbox,
    make_sent_invitation,
    make_session,
    set_survey_policy,
)
from tests.webhook_helpers import events_of_type, subscribe

pytestmark = pytest.mark.django_db

SIGNING_KEY = "key-mailgun-signing-test"
BASIC_AUTH = "provider:s3cret-shared"


@pytest.fixture
def smtp_delivery(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    return smtp_server


@pytest.fixture
def mailgun_webhooks(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": BASIC_AUTH, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


@pytest.fixture
def failures(api_a, webhook_receiver):
    return subscribe(api_a, webhook_receiver, ["message.failed"])


@pytest.fixture(autouse=True)
def send_at_once(practice_a):
    set_survey_policy(practice_a.practice, **SEND_AT_ONCE)


def _survey_emailed(api, practice, client) -> SurveyInvitation:
    """Complete a session and deliver its survey email, as beat and a worker would."""
    session = make_session(practice, client=client)
    api.post(f"/api/v1/sessions/{session.pk}/complete/")
    tasks.send_due_invitations()
    deliver_outbox()
    return SurveyInvitation.across_practices_unsafe.get(session=session)


def _status(api, invitation) -> str:
    return api.get(f"/api/v1/survey-invitations/{invitation.pk}/").json()["status"]


def _mailgun_event(event: str, message: OutboxMessage, recipient: str, key=SIGNING_KEY) -> dict:
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "severity": "permanent",
            "timestamp": float(timestamp),
            "recipient": recipient,
            "message": {"headers": {"message-id": message.provider_message_id.strip("<>")}},
            "user-variables": {},
        },
    }


def _post_tracking(client, body: dict, auth: str = BASIC_AUTH):
    credentials = base64.b64encode(auth.encode()).decode()
    return client.post(
        "/email-events/mailgun/tracking/",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )


def test_a_mailbox_refused_for_good_is_suppressed_and_the_survey_fails(
    api_a, practice_a, client_a, smtp_delivery, failures, webhook_receiver
):
    smtp_delivery.refusals = ["550 5.1.1 No such mailbox"]

    invitation = _survey_emailed(api_a, practice_a.practice, client_a)
    deliver_outbox()

    assert _status(api_a, invitation) == "failed"
    assert SuppressedAddress.across_practices_unsafe.get().address == client_a.email
    [failed] = events_of_type(failures, webhook_receiver, "message.failed")
    assert failed["data"]["reason"] == "rejected"
    assert failed["data"]["invitation"] == str(invitation.pk)
    assert failed["data"]["client"] == str(client_a.pk)
    assert client_a.email not in json.dumps(failed)


def test_a_bounce_reported_by_the_providers_signed_webhook_fails_the_survey(
    api_a, practice_a, client_a, mailgun_webhooks, failures, webhook_receiver, client
):
    invitation, _ = make_sent_invitation(practice_a.practice, client_a)
    message = OutboxMessage.across_practices_unsafe.get(kind="survey_invitation")

    response = _post_tracking(client, _mailgun_event("failed", message, client_a.email))
    deliver_outbox()

    assert response.status_code == 200
    assert _status(api_a, invitation) == "failed"
    assert api_a.get(f"/api/v1/messages/{message.pk}/").json()["status"] == "failed"
    [failed] = events_of_type(failures, webhook_receiver, "message.failed")
    assert (failed["data"]["reason"], failed["data"]["message"]) == ("bounced", str(message.pk))


def test_a_complaint_suppresses_the_address_for_that_practice_only(
    practice_a, practice_b, client_a, mailgun_webhooks, client
):
    make_sent_invitation(practice_a.practice, client_a)
    message = OutboxMessage.across_practices_unsafe.get(kind="survey_invitation")

    _post_tracking(client, _mailgun_event("complained", message, client_a.email))

    suppressed = SuppressedAddress.across_practices_unsafe.get()
    assert (suppressed.practice_id, suppressed.reason) == (practice_a.practice.pk, "complained")


def test_the_next_email_to_a_suppressed_address_is_not_sent(
    api_a, practice_a, client_a, mailgun_webhooks, client
):
    make_sent_invitation(practice_a.practice, client_a)
    message = OutboxMessage.across_practices_unsafe.get(kind="survey_invitation")
    _post_tracking(client, _mailgun_event("failed", message, client_a.email))
    sent_before = len(mail.outbox)

    invitation = _survey_emailed(api_a, practice_a.practice, client_a)

    assert len(mail.outbox) == sent_before
    assert _status(api_a, invitation) == "failed"
    message = OutboxMessage.across_practices_unsafe.filter(kind="survey_invitation").latest(
        "created_at"
    )
    assert (message.status, message.last_error) == (
        "failed",
        "The address is on the suppression list.",
    )


def test_a_forged_signature_changes_nothing(practice_a, client_a, mailgun_webhooks, client):
    invitation, _ = make_sent_invitation(practice_a.practice, client_a)
    message = OutboxMessage.across_practices_unsafe.get(kind="survey_invitation")

    forged = _post_tracking(client, _mailgun_event("failed", message, client_a.email, key="guess"))
    no_auth = _post_tracking(client, _mailgun_event("failed", message, client_a.email), auth="x:y")

    assert forged.status_code == no_auth.status_code == 400
    invitation.refresh_from_db()
    assert invitation.status == "sent"
    assert not SuppressedAddress.across_practices_unsafe.exists()


def test_without_a_shared_secret_the_tracking_webhooks_answer_404(
    practice_a, client_a, settings, client
):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    make_sent_invitation(practice_a.practice, client_a)
    message = OutboxMessage.across_practices_unsafe.get(kind="survey_invitation")

    response = _post_tracking(client, _mailgun_event("failed", message, client_a.email))

    assert response.status_code == 404
    assert not SuppressedAddress.across_practices_unsafe.exists()


def test_the_sender_is_named_as_the_practice_and_replies_go_to_its_address(
    api_a, practice_a, client_a
):
    api_a.patch("/api/v1/practice/", {"reply_to_email": "front-desk@rooted.example"}, format="json")

    make_sent_invitation(practice_a.practice, client_a)

    email = mail.outbox[-1]
    assert email.from_email == f"{practice_a.practice.name} <no-reply@localhost>"
    assert email.reply_to == ["front-desk@rooted.example"]


def test_the_practice_sees_its_suppressed_addresses_and_can_lift_one(
    api_a, api_b, practice_a, client_a, mailgun_webhooks, client
):
    make_sent_invitation(practice_a.practice, client_a)
    message = OutboxMessage.across_practices_unsafe.get(kind="survey_invitation")
    _post_tracking(client, _mailgun_event("failed", message, client_a.email))

    [listed] = api_a.get("/api/v1/suppressions/").json()["results"]
    assert (listed["address"], listed["reason"]) == (client_a.email, "bounced")
    assert api_b.get("/api/v1/suppressions/").json()["results"] == []
    assert api_a.delete(f"/api/v1/suppressions/{listed['id']}/").status_code == 204
    assert api_a.get("/api/v1/suppressions/").json()["results"] == []
