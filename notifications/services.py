"""The outbox: every message is a row written with the change that causes it, then delivered.

`outbox_enqueue` (in the caller's transaction) → on commit, a delivery task →
`message_deliver`: claim (compare-and-swap) → render → send → record the outcome as the claim's
holder. `outbox_sweep` (beat, every few seconds) queues what is due and was never queued or was
left behind by a lost task, worker or broker.

The one window in which a message can go out twice: the SMTP server has accepted it but the
worker dies before it records `sent`. After the claim lease the sweep hands it out again.
"""

import logging
import random
import smtplib
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import bounds
from notifications.models import OutboxMessage, WebhookEndpoint
from notifications.rendering import FAILED_FOR_GOOD, RETRIED, announce, render_email
from notifications.smtp import send_over_kept_connection
from notifications.webhooks import WebhookTargetRefused, new_secret, post_event
from practice.errors import Conflict, InvalidInput
from practice.tasking import enqueue_now_rollback_unsafe, enqueue_on_commit
from practice.tenancy import current_practice, practice_scope
from practice.updates import model_update

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
DELIVER_MESSAGE_TASK = "notifications.tasks.deliver_message"


class PermanentDeliveryError(Exception):
    """Retrying will not help (the server refused the message or the recipient for good)."""


def outbox_enqueue(
    *, kind: str, recipient: str, context: dict, channel: str = OutboxMessage.Channel.EMAIL
) -> OutboxMessage:
    """Write a message to deliver; its delivery task is queued once the transaction commits."""
    message = OutboxMessage.objects.create(
        practice=current_practice(),
        kind=kind,
        channel=channel,
        recipient=recipient,
        context=context,
        queued_at=timezone.now(),
    )
    enqueue_on_commit(DELIVER_MESSAGE_TASK, message.practice_id, message.pk)
    return message


def client_recipient(client) -> str:
    """How the outbox names a client: by id, so that their address lives only on their record
    (the email is rendered from it) and goes with it when the client is erased."""
    return f"client:{client.pk}"


def messages_erase_for_client(*, client) -> int:
    """Forget every message to a client who is being erased."""
    deleted, _ = OutboxMessage.objects.filter(recipient=client_recipient(client)).delete()
    return deleted


def _claim(message_id) -> uuid.UUID | None:
    token = uuid.uuid4()
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(
        status=Status.CLAIMED,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return token if claimed else None


def _record(message_id, token: uuid.UUID, **outcome) -> bool:
    """Record the outcome of a delivery, if this delivery still holds the claim."""
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id, status=Status.CLAIMED, claim_token=token
        ).update(claim_token=None, updated_at=timezone.now(), **outcome)
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter, capped (below the broker's visibility timeout)."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    capped = min(base, settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=capped * random.uniform(0.8, 1.2))  # noqa: S311 - jitter only


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, PermanentDeliveryError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _message_id_header(message: OutboxMessage) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "alliance.local"
    return f"<{message.pk}@{domain}>"


def message_deliver(*, message_id) -> str | None:
    """Deliver one message if it is due and unclaimed; returns the status it ended in.

    Whatever goes wrong is recorded on the row (a retry, or a failure once attempts run out),
    so that no message stays claimed for ever.
    """
    token = _claim(message_id)
    if token is None:
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    webhook = message.channel == OutboxMessage.Channel.WEBHOOK
    try:
        return _deliver_webhook(message, token) if webhook else _deliver_email(message, token)
    except Exception as error:
        logger.exception("Delivery of message %s failed unexpectedly", message.pk)
        return _record_failure(message, token, error, _max_attempts(message))


def _max_attempts(message: OutboxMessage) -> int:
    if message.channel == OutboxMessage.Channel.WEBHOOK:
        return settings.WEBHOOK_MAX_ATTEMPTS
    return settings.OUTBOX_MAX_ATTEMPTS


def _deliver_email(message: OutboxMessage, token: uuid.UUID) -> str:
    with transaction.atomic():
        email = render_email(message)
    if email is None:
        _record(message.pk, token, status=Status.CANCELLED)
        return Status.CANCELLED
    email.extra_headers["Message-ID"] = _message_id_header(message)
    send_over_kept_connection(email)
    _record(
        message.pk,
        token,
        status=Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_message_id=email.extra_headers["Message-ID"],
    )
    return Status.SENT


def _deliver_webhook(message: OutboxMessage, token: uuid.UUID) -> str:
    endpoint = WebhookEndpoint.objects.filter(pk=message.context["endpoint"], active=True).first()
    if endpoint is None:
        _record(message.pk, token, status=Status.CANCELLED, last_error="Endpoint inactive.")
        return Status.CANCELLED
    try:
        result = post_event(
            url=endpoint.url,
            secrets_=_signing_secrets(endpoint),
            message_id=f"msg_{message.pk}",
            timestamp=int(timezone.now().timestamp()),
            payload=message.context["payload"],
        )
    except WebhookTargetRefused as error:
        return _record_failure(message, token, PermanentDeliveryError(str(error)), 1)
    if result.status is not None and 200 <= result.status < 300:
        _record(
            message.pk,
            token,
            status=Status.SENT,
            sent_at=timezone.now(),
            last_error="",
            provider_message_id=f"HTTP {result.status}",
        )
        return Status.SENT
    if result.status == 410:
        # The receiver says it is gone for good: stop sending it anything.
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            active=False,
            disabled_reason="The receiver answered 410 Gone.",
            updated_at=timezone.now(),
        )
        return _record_failure(message, token, PermanentDeliveryError("410 Gone"), 1)
    return _record_failure(message, token, Exception(result.detail), settings.WEBHOOK_MAX_ATTEMPTS)


def _signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    overlap = endpoint.previous_secret and endpoint.previous_secret_expires_at
    if overlap and endpoint.previous_secret_expires_at > timezone.now():
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


def _record_failure(
    message: OutboxMessage, token: uuid.UUID, error: Exception, max_attempts: int
) -> str:
    attempts = message.attempts
    description = f"{type(error).__name__}: {error}"[:2000]
    if _is_permanent(error) or attempts >= max_attempts:
        logger.warning("Message %s failed for good after %d attempts", message.pk, attempts)
        with transaction.atomic():
            if _record(message.pk, token, status=Status.FAILED, last_error=description):
                announce(FAILED_FOR_GOOD, message)
        return Status.FAILED
    logger.info("Message %s failed (attempt %d); will retry", message.pk, attempts)
    _record(
        message.pk,
        token,
        status=Status.PENDING,
        last_error=description,
        queued_at=None,
        next_attempt_at=timezone.now() + retry_delay(attempts),
    )
    return Status.PENDING


def webhook_event_enqueue(*, event: str, data: dict) -> int:
    """Write one webhook message per active endpoint of the practice that takes `event`."""
    payload = {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
    endpoints = WebhookEndpoint.objects.filter(active=True).values_list("id", "events")
    written = 0
    for endpoint_id, events in endpoints:
        if event in events:
            outbox_enqueue(
                kind=OutboxMessage.Kind.WEBHOOK,
                channel=OutboxMessage.Channel.WEBHOOK,
                recipient=str(endpoint_id),
                context={"endpoint": str(endpoint_id), "payload": payload},
            )
            written += 1
    return written


def _checked_endpoint(changes: dict) -> dict:
    """An endpoint's fields as stored (events once each, in order), or `InvalidInput` naming
    what breaks the rules of `notifications.bounds`."""
    errors = {}
    if "url" in changes:
        try:
            URLValidator(schemes=bounds.URL_SCHEMES)(changes["url"])
            MaxLengthValidator(bounds.URL_MAX_LENGTH)(changes["url"])
        except DjangoValidationError as error:
            errors["url"] = [f"Use an http:// or https:// URL. {' '.join(error.messages)}"]
    if "events" in changes:
        events = changes["events"]
        if not isinstance(events, list) or not events:
            errors["events"] = ["Name at least one event."]
        else:
            problems = {bounds.EVENT.problem(event) for event in events} - {None}
            if problems:
                errors["events"] = sorted(problems)
            else:
                changes = changes | {"events": sorted(set(events))}
    if errors:
        raise InvalidInput(errors)
    return changes


def webhook_endpoint_create(*, url: str, events: list[str], active: bool = True):
    """Add an endpoint; returns it with its signing secret, which is shown only now."""
    fields = _checked_endpoint({"url": url, "events": events})
    endpoint = WebhookEndpoint.objects.create(
        practice=current_practice(), active=active, secret=new_secret(), **fields
    )
    return endpoint, endpoint.secret


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change an endpoint's address, events or state; turning it on again clears why it was
    turned off."""
    changes = _checked_endpoint(changes)
    if changes.get("active"):
        changes = changes | {"disabled_reason": ""}
    model_update(
        instance=endpoint, fields=("url", "events", "active", "disabled_reason"), data=changes
    )
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> tuple[WebhookEndpoint, str]:
    """A new secret; the old one keeps signing for WEBHOOK_SECRET_OVERLAP_HOURS."""
    model_update(
        instance=endpoint,
        fields=("secret", "previous_secret", "previous_secret_expires_at"),
        data={
            "secret": new_secret(),
            "previous_secret": endpoint.secret,
            "previous_secret_expires_at": timezone.now()
            + timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS),
        },
    )
    return endpoint, endpoint.secret


@transaction.atomic
def message_retry(*, message: OutboxMessage) -> None:
    """An admin's retry of a failed message: it gets a fresh set of attempts, and its kind's
    owner reopens what the failure closed."""
    now = timezone.now()
    retried = OutboxMessage.objects.filter(pk=message.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, queued_at=now, updated_at=now
    )
    if not retried:
        raise Conflict("Only a failed message can be retried.")
    announce(RETRIED, message)
    enqueue_on_commit(DELIVER_MESSAGE_TASK, message.practice_id, message.pk)


def outbox_sweep(*, batch_size: int = 500) -> int:
    """Queue every message that is due but not queued recently, including those whose
    delivery lost its worker (a claim older than the lease). Returns how many were queued.

    Looks across practices: each queued task then works inside its message's practice.
    """
    now = timezone.now()
    lease_expired = now - timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
    requeue_before = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        rows = list(
            OutboxMessage.across_practices_unsafe.select_for_update(skip_locked=True)
            .filter(
                Q(status=Status.PENDING, next_attempt_at__lte=now)
                & (Q(queued_at=None) | Q(queued_at__lt=requeue_before))
                | Q(status=Status.CLAIMED, claimed_at__lt=lease_expired)
            )
            .values_list("practice_id", "id", "status")[:batch_size]
        )
        ids = [message_id for _, message_id, _ in rows]
        lost = OutboxMessage.across_practices_unsafe.filter(pk__in=ids, status=Status.CLAIMED)
        # A delivery that keeps losing its worker (a crash it causes, a hang) must end too.
        given_up = list(
            lost.filter(
                Q(channel=OutboxMessage.Channel.EMAIL, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS)
                | Q(
                    channel=OutboxMessage.Channel.WEBHOOK,
                    attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS,
                )
            ).select_related("practice")
        )
        OutboxMessage.across_practices_unsafe.filter(pk__in=[m.pk for m in given_up]).update(
            status=Status.FAILED,
            claim_token=None,
            updated_at=now,
            last_error="Every attempt lost its worker before it finished.",
        )
        for message in given_up:
            with practice_scope(message.practice):
                announce(FAILED_FOR_GOOD, message)
        lost.update(status=Status.PENDING, claim_token=None, updated_at=now)
        requeued = OutboxMessage.across_practices_unsafe.filter(pk__in=ids, status=Status.PENDING)
        requeued.update(queued_at=now)
        to_queue = list(requeued.values_list("practice_id", "id"))
    for practice_id, message_id in to_queue:
        enqueue_now_rollback_unsafe(DELIVER_MESSAGE_TASK, practice_id, message_id)
    return len(to_queue)


def import_completed_notify(*, bulk_import) -> None:
    """`import.completed`: an import's id, outcome and counts, nothing of its rows."""
    webhook_event_enqueue(
        event=WebhookEndpoint.Event.IMPORT_COMPLETED,
        data={
            "id": str(bulk_import.pk),
            "status": bulk_import.status,
            "dry_run": bulk_import.dry_run,
            "rows_total": bulk_import.rows_total,
            "counts": bulk_import.counts,
            "finished_at": bulk_import.finished_at.isoformat(),
        },
    )
