"""The outbox: every message is a row written with the change that causes it, then delivered.

`outbox_enqueue` (in the caller's transaction) → on commit, a delivery task →
`messages_deliver`, in the task's practice: claim the task's message and a batch of the
practice's other due emails (a compare-and-swap) → render → send → record the outcome as the
claim's holder. A task whose message a batch has taken already delivers whatever else of its
practice is due, or nothing. `outbox_sweep` (beat, every few seconds) queues what is due and
was never queued or was left behind by a lost task, worker or broker.

The one window in which a message can go out twice: the SMTP server has accepted it but the
worker dies before it records `sent`. After the claim lease the sweep hands it out again, with
the rest of the dead worker's batch (claimed, never sent).

An email that fails for good (refused by the mail server for good, bounced or complained about
as the provider's tracking webhook reports, or addressed to a suppressed address) is `failed`:
its address goes on the practice's suppression list, the app that wrote it is told
(`notifications.rendering.announce`: a survey closes as failed), and a `message.failed` event is
sent.
"""

import logging
import random
import smtplib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.utils import formataddr, parseaddr
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import bounds, selectors
from notifications.models import OutboxMessage, SuppressedAddress, WebhookEndpoint
from notifications.rendering import (
    FAILED_FOR_GOOD,
    RETRIED,
    announce,
    render_emails,
    render_webhook_data,
)
from notifications.smtp import send_over_kept_connection
from notifications.webhooks import WebhookTargetRefused, new_secret, post_event
from practice.errors import Conflict, InvalidInput
from practice.tasking import enqueue_now_rollback_unsafe, enqueue_on_commit
from practice.tenancy import current_practice, practice_scope, practice_scope_by_id
from practice.updates import model_update

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
Reason = SuppressedAddress.Reason
DELIVER_MESSAGE_TASK = "notifications.tasks.deliver_message"
# SMTP replies that refuse the mailbox itself (RFC 5321: unavailable, not local, bad name).
MAILBOX_REFUSED_CODES = (550, 551, 553)


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


def _claim_batch(message_id, size: int) -> tuple[uuid.UUID, list[OutboxMessage]]:
    """Claim (one token for the batch) the task's own message, of any channel, and up to `size`
    other due emails of the practice in scope, oldest first; rows another worker holds are
    skipped, not waited for. Returns the token and the claimed rows, the task's own first.

    The claim is a compare-and-swap (`pending` and due → `claimed`), and the batch is the rows
    that hold its token: where the rows are not locked as they are read (SQLite ignores
    `select_for_update`), a row another delivery claimed in between is not taken from it.

    Only emails never tried before join a batch, and a message tried before goes alone: a
    message whose delivery kills its worker (the sweep hands its claim out again, up to
    OUTBOX_MAX_ATTEMPTS times) must not spend its batch-mates' attempts.
    """
    token = uuid.uuid4()
    now = timezone.now()
    due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    with transaction.atomic():
        ids = _batch_ids(due.select_for_update(skip_locked=True), message_id, size)
        if not ids:
            return token, []
        due.filter(pk__in=ids).update(
            status=Status.CLAIMED,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        claimed = OutboxMessage.objects.filter(pk__in=ids, claim_token=token)
        by_id = {message.pk: message for message in claimed}
    return token, [by_id[pk] for pk in ids if pk in by_id]


def _batch_ids(due, message_id, size: int) -> list:
    """The ids a delivery claims among `due` (locked as they are read): its own message, and
    up to `size` other never-tried due emails if its own is a never-tried email too, or is gone
    already (another batch took it). A webhook goes alone: its receiver may take up to
    WEBHOOK_TIMEOUT to answer, and no email waits behind it."""
    never_tried_email = (OutboxMessage.Channel.EMAIL, 0)
    own = due.filter(pk=message_id).values_list("id", "channel", "attempts").first()
    if own is not None and tuple(own[1:]) != never_tried_email:
        return [own[0]]
    others = due.filter(channel=OutboxMessage.Channel.EMAIL, attempts=0).exclude(pk=message_id)
    ids = list(others.order_by("next_attempt_at").values_list("id", flat=True)[:size])
    return [own[0], *ids] if own is not None else ids


def _release(messages: list[OutboxMessage], token: uuid.UUID) -> None:
    """Give back claimed messages this delivery did not get to: due again, at once."""
    OutboxMessage.objects.filter(
        pk__in=[message.pk for message in messages], status=Status.CLAIMED, claim_token=token
    ).update(
        status=Status.PENDING,
        claim_token=None,
        attempts=F("attempts") - 1,
        queued_at=None,
        updated_at=timezone.now(),
    )


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


def _from_the_practice(email: EmailMessage) -> None:
    """The sender's name is the practice's (the address stays the service's, which the mail
    domain's SPF and DKIM cover); replies go to the practice's address where it has one."""
    practice = current_practice()
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    email.from_email = formataddr((practice.name, address))
    if practice.reply_to_email and not email.reply_to:
        email.reply_to = [practice.reply_to_email]


def _refused_addresses(error: Exception, email: EmailMessage) -> list[str]:
    """The addresses a mail server refused for good, if that is what `error` says."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [address for address, (code, _) in error.recipients.items() if code >= 500]
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code in (
        MAILBOX_REFUSED_CODES
    ):
        return list(email.to)
    return []


def messages_deliver(*, message_id, batch_size: int | None = None) -> dict[uuid.UUID, str]:
    """Deliver a message of the practice in scope if it is due and unclaimed, and with it up to
    `batch_size` (OUTBOX_BATCH_SIZE) other due emails of that practice, one after the other over
    this worker's kept connection; returns the status each claimed message ended in.

    Each message's outcome is recorded right after its send, so that a worker killed mid-batch
    can have sent twice only the message in flight; the rest of its batch is handed out again
    after the claim lease. Whatever goes wrong with one message is recorded on its row (a
    retry, or a failure once attempts run out) and the batch goes on. Past OUTBOX_BATCH_SECONDS
    the batch gives back what it has not rendered, well before the lease would hand it to
    another worker.
    """
    size = settings.OUTBOX_BATCH_SIZE if batch_size is None else batch_size
    deadline = time.monotonic() + settings.OUTBOX_BATCH_SECONDS
    token, batch = _claim_batch(message_id, size)
    if not batch:
        return {}
    with _commits_not_waiting_for_the_disk():
        return _deliver_batch(batch, token, deadline)


@contextmanager
def _commits_not_waiting_for_the_disk() -> Iterator[None]:
    """A delivery commits after every send (its record), and waiting for the disk's flush
    (about a millisecond here) cost more than the send itself. Without it, a worker killed
    loses nothing it committed; only a crash of PostgreSQL itself (or of its machine) can
    forget its last fraction of a second of commits, always the latest ones. Then the messages
    whose `sent` was forgotten go out again after the claim lease, as after a worker lost
    between the accept and the record, and a forgotten link went only with its forgotten
    `sent`, so the message sent again carries a link that works."""
    if connection.vendor != "postgresql":  # the embedded default's SQLite
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if connection.errors_occurred and not connection.is_usable():
            # Resetting a dead connection would raise and hide what killed it; a new one starts
            # at the server's default.
            connection.close()
        else:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def _deliver_batch(batch: list[OutboxMessage], token: uuid.UUID, deadline: float) -> dict:
    """Renders only as many as the pace so far says it can send before the deadline (the first
    message alone, to learn the pace), and sends all it rendered: rendering a survey email
    issues a link and revokes the client's earlier one, so nothing rendered is given back."""
    outcomes = {}
    started = time.monotonic()
    waiting = batch
    while waiting:
        now = time.monotonic()
        if outcomes and now > deadline:
            _release(waiting, token)
            break
        fit = _how_many_fit(done=len(outcomes), spent=now - started, left=deadline - now)
        chunk, waiting = waiting[:fit], waiting[fit:]
        rendered = _render_together(chunk)
        for message in chunk:
            outcomes[message.pk] = _deliver_claimed(message, token, rendered)
    return outcomes


def _how_many_fit(*, done: int, spent: float, left: float) -> int:
    """How many more messages go out in `left` seconds at the pace of `done` in `spent`
    seconds; at least one, and one alone while the pace is unknown."""
    if not done:
        return 1
    return max(1, int(left * done / max(spent, 1e-6)))


class _Rendered(NamedTuple):
    """Emails rendered together, by message id, and which of their addresses are suppressed."""

    emails: dict
    suppressed: set[str]


def _render(emails: list[OutboxMessage]) -> _Rendered:
    """`emails` rendered in one transaction (their kinds' renderers share its queries)."""
    with transaction.atomic():
        rendered = render_emails(emails)
    addresses = [address for email in rendered.values() if email for address in email.to]
    return _Rendered(rendered, set(selectors.suppressed_among(addresses)))


def _render_together(messages: list[OutboxMessage]) -> _Rendered:
    """The emails among `messages` rendered together. Should that fail, none is: each is then
    rendered alone, where a failure is recorded on its own message only."""
    emails = [message for message in messages if message.channel == OutboxMessage.Channel.EMAIL]
    if not emails:
        return _Rendered({}, set())
    try:
        return _render(emails)
    except Exception:
        logger.exception("Rendering %d emails together failed; each is rendered alone", len(emails))
        return _Rendered({}, set())


def _deliver_claimed(message: OutboxMessage, token: uuid.UUID, rendered: _Rendered) -> str:
    try:
        if message.channel == OutboxMessage.Channel.WEBHOOK:
            return _deliver_webhook(message, token)
        if message.pk in rendered.emails:
            return _send_email(message, token, rendered.emails[message.pk], rendered.suppressed)
        return _deliver_email(message, token)
    except Exception as error:
        logger.exception("Delivery of message %s failed unexpectedly", message.pk)
        return _record_failure(message, token, error, _max_attempts(message))


def _max_attempts(message: OutboxMessage) -> int:
    if message.channel == OutboxMessage.Channel.WEBHOOK:
        return settings.WEBHOOK_MAX_ATTEMPTS
    return settings.OUTBOX_MAX_ATTEMPTS


def _deliver_email(message: OutboxMessage, token: uuid.UUID) -> str:
    """Render and send one email alone."""
    rendered = _render([message])
    return _send_email(message, token, rendered.emails[message.pk], rendered.suppressed)


def _send_email(
    message: OutboxMessage, token: uuid.UUID, email: EmailMessage | None, suppressed: set[str]
) -> str:
    if email is None:
        _record(message.pk, token, status=Status.CANCELLED)
        return Status.CANCELLED
    if any(address.strip().lower() in suppressed for address in email.to):
        return _fail_for_good(
            message, token, reason="suppressed", detail="The address is on the suppression list."
        )
    _from_the_practice(email)
    email.extra_headers["Message-ID"] = _message_id_header(message)
    # Provider backends (anymail) send this along, and their tracking webhooks echo it back.
    email.metadata = {"outbox_message": str(message.pk)}
    try:
        send_over_kept_connection(email)
    except smtplib.SMTPException as error:
        refused = _refused_addresses(error, email)
        if not refused:
            raise
        with transaction.atomic():
            for address in refused:
                address_suppress(address=address, reason=Reason.REJECTED)
        return _fail_for_good(
            message, token, reason=Reason.REJECTED, detail=f"{type(error).__name__}: {error}"
        )
    status = getattr(email, "anymail_status", None)
    _record(
        message.pk,
        token,
        status=Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_message_id=(status and status.message_id) or email.extra_headers["Message-ID"],
    )
    return Status.SENT


def _fail_for_good(message: OutboxMessage, token: uuid.UUID, *, reason: str, detail: str) -> str:
    with transaction.atomic():
        if _record(message.pk, token, status=Status.FAILED, last_error=detail[:2000]):
            _announce_failure(message, reason)
    return Status.FAILED


def _announce_failure(message: OutboxMessage, reason: str) -> None:
    """Tell the app that wrote the message, and, for an email, the practice's system."""
    announce(FAILED_FOR_GOOD, message)
    if message.channel != OutboxMessage.Channel.EMAIL:
        return  # a failed webhook is not announced by another webhook to the same system
    recipient_kind, _, recipient_id = message.recipient.partition(":")
    webhook_event_enqueue(
        event=WebhookEndpoint.Event.MESSAGE_FAILED,
        data={
            "message": str(message.pk),
            "kind": message.kind,
            "status": Status.FAILED,
            "reason": reason,
            "client": recipient_id if recipient_kind == "client" else None,
            # The ids the message was about (an invitation, an alert).
            **{
                key: value
                for key, value in message.context.items()
                if key in ("invitation", "alert")
            },
        },
    )


def address_suppress(*, address: str, reason: str) -> SuppressedAddress:
    """Send the practice's email to `address` no more."""
    suppressed, _ = SuppressedAddress.objects.get_or_create(
        practice=current_practice(), address=address.strip().lower(), defaults={"reason": reason}
    )
    return suppressed


def address_unsuppress(*, suppressed: SuppressedAddress) -> None:
    suppressed.delete()


TRACKED_FAILURES = {
    "bounced": Reason.BOUNCED,
    "complained": Reason.COMPLAINED,
    "rejected": Reason.REJECTED,
}


def message_fate_record(
    *, event_type: str, recipient: str, outbox_message_id: str | None, provider_message_id: str
) -> bool:
    """A provider's tracking webhook says an email bounced, was complained about or was
    rejected: suppress the address and fail the message, once. Returns whether it was ours."""
    reason = TRACKED_FAILURES.get(event_type)
    if reason is None:
        return False
    message = selectors.message_for_provider_event_unsafe(
        outbox_message_id=outbox_message_id, provider_message_id=provider_message_id
    )
    if message is None:
        logger.info("A %s event for an unknown message was ignored", event_type)
        return False
    with practice_scope_by_id(message.practice_id), transaction.atomic():
        if recipient:
            address_suppress(address=recipient, reason=reason)
        failed = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENT).update(
            status=Status.FAILED,
            last_error=f"The provider reported: {event_type}.",
            updated_at=timezone.now(),
        )
        if failed:
            _announce_failure(message, reason)
    return True


def _deliver_webhook(message: OutboxMessage, token: uuid.UUID) -> str:
    endpoint = WebhookEndpoint.objects.filter(pk=message.context["endpoint"], active=True).first()
    if endpoint is None:
        _record(message.pk, token, status=Status.CANCELLED, last_error="Endpoint inactive.")
        return Status.CANCELLED
    payload = message.context.get("payload")
    if payload is None:
        event = message.context["event"]
        with transaction.atomic():
            data = render_webhook_data(event, message.context["render"])
        if data is None:
            _record(message.pk, token, status=Status.CANCELLED, last_error="No longer wanted.")
            return Status.CANCELLED
        payload = {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
    try:
        result = post_event(
            url=endpoint.url,
            secrets_=_signing_secrets(endpoint),
            message_id=f"msg_{message.pk}",
            timestamp=int(timezone.now().timestamp()),
            payload=payload,
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
        reason = Reason.REJECTED if _is_permanent(error) else "undeliverable"
        return _fail_for_good(message, token, reason=reason, detail=description)
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


def _endpoints_taking(event: str) -> list:
    endpoints = WebhookEndpoint.objects.filter(active=True).values_list("id", "events")
    return [endpoint_id for endpoint_id, events in endpoints if event in events]


def webhook_event_is_wanted(event: str) -> bool:
    """Whether any active endpoint of the practice takes `event`."""
    return bool(_endpoints_taking(event))


def _webhook_enqueue(event: str, content: dict) -> int:
    endpoints = _endpoints_taking(event)
    for endpoint_id in endpoints:
        outbox_enqueue(
            kind=OutboxMessage.Kind.WEBHOOK,
            channel=OutboxMessage.Channel.WEBHOOK,
            recipient=str(endpoint_id),
            context={"endpoint": str(endpoint_id), **content},
        )
    return len(endpoints)


def webhook_event_enqueue(*, event: str, data: dict) -> int:
    """Write one webhook message per active endpoint of the practice that takes `event`."""
    payload = {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
    return _webhook_enqueue(event, {"payload": payload})


def webhook_event_enqueue_rendered_at_delivery(*, event: str, context: dict) -> int:
    """Like `webhook_event_enqueue`, for an event whose data must not wait in the outbox (a
    one-time link): the row keeps the ids in `context`, and the renderer registered for
    `event` (`renders_webhook`) makes the data when each delivery is attempted."""
    return _webhook_enqueue(event, {"event": event, "render": context})


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
                _announce_failure(message, "undeliverable")
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
