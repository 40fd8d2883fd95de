"""The outbox's rules, without a worker: claims, outcomes, the sweep, the delivery log."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from notifications import services
from notifications.models import OutboxMessage
from practice.tenancy import practice_scope
from tests.factories import make_sent_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_message(practice_a, client_a):
    """A survey email written to the outbox but not yet delivered."""
    make_sent_invitation(practice_a.practice, client_a)
    message = OutboxMessage.across_practices_unsafe.get()
    OutboxMessage.across_practices_unsafe.filter(pk=message.pk).update(
        status="pending", sent_at=None, provider_message_id="", attempts=0
    )
    mail.outbox.clear()
    return message


def _deliver(message):
    with practice_scope(message.practice):
        return services.messages_deliver(message_id=message.pk, batch_size=0).get(message.pk)


def test_a_delivered_message_carries_a_stable_message_id(pending_message):
    _deliver(pending_message)

    pending_message.refresh_from_db()
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{pending_message.pk}@localhost>"
    assert pending_message.provider_message_id == f"<{pending_message.pk}@localhost>"
    assert (pending_message.status, pending_message.attempts) == ("sent", 1)


def test_a_message_is_delivered_once_however_often_its_task_runs(pending_message):
    outcomes = [_deliver(pending_message) for _ in range(3)]

    assert outcomes == ["sent", None, None]
    assert len(mail.outbox) == 1


def test_a_client_who_opted_out_before_delivery_gets_nothing(pending_message, client_a):
    client_a.survey_consent = False
    client_a.save()

    assert _deliver(pending_message) == "cancelled"
    assert mail.outbox == []


def test_retry_delays_grow_exponentially_with_jitter_and_stop_at_the_cap():
    with override_settings(OUTBOX_RETRY_BASE_SECONDS=30, OUTBOX_RETRY_MAX_SECONDS=1800):
        delays = [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 10)]

    assert 24 <= delays[0] <= 36
    assert 48 <= delays[1] <= 72
    assert 96 <= delays[2] <= 144
    assert 1440 <= delays[3] <= 2160


def test_the_sweep_hands_out_a_claim_whose_worker_was_lost(pending_message):
    OutboxMessage.across_practices_unsafe.filter(pk=pending_message.pk).update(
        status="claimed", claimed_at=pending_message.created_at
    )

    with time_machine.travel(pending_message.created_at + timedelta(minutes=10)):
        queued = services.outbox_sweep()

    assert queued == 1
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_a_fresh_claim_alone(pending_message):
    OutboxMessage.across_practices_unsafe.filter(pk=pending_message.pk).update(
        status="claimed", claimed_at=pending_message.created_at
    )

    with time_machine.travel(pending_message.created_at + timedelta(seconds=30)):
        queued = services.outbox_sweep()

    assert queued == 0
    assert mail.outbox == []


def test_the_delivery_log_lists_messages_by_status(api_a, pending_message):
    _deliver(pending_message)

    sent = api_a.get("/api/v1/messages/", {"status": "sent"}).json()["results"]
    failed = api_a.get("/api/v1/messages/", {"status": "failed"}).json()["results"]

    assert [m["id"] for m in sent] == [str(pending_message.pk)]
    assert sent[0]["kind"] == "survey_invitation"
    assert failed == []


def test_an_unexpected_error_is_recorded_for_a_retry_not_left_claimed(pending_message, monkeypatch):
    from notifications import rendering

    def broken(message):
        raise KeyError("a template that names a missing field")

    monkeypatch.setitem(rendering._email_renderers, "survey_invitation", broken)

    assert _deliver(pending_message) == "pending"
    pending_message.refresh_from_db()
    assert "KeyError" in pending_message.last_error
    assert pending_message.claim_token is None


def test_a_message_that_keeps_losing_its_worker_fails_in_the_end(pending_message, settings):
    OutboxMessage.across_practices_unsafe.filter(pk=pending_message.pk).update(
        status="claimed",
        claimed_at=pending_message.created_at,
        attempts=settings.OUTBOX_MAX_ATTEMPTS,
    )

    with time_machine.travel(pending_message.created_at + timedelta(minutes=10)):
        queued = services.outbox_sweep()

    pending_message.refresh_from_db()
    assert queued == 0
    assert pending_message.status == "failed"
    assert "lost its worker" in pending_message.last_error


def test_erasing_a_client_erases_the_messages_to_them(api_a, pending_message, client_a):
    response = api_a.delete(f"/api/v1/clients/{client_a.pk}/")

    assert response.status_code == 204
    assert not OutboxMessage.across_practices_unsafe.exists()
