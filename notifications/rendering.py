"""How each kind of outbox message becomes an email, how a webhook event whose data may not
wait in the outbox (a one-time link) becomes its data, and what follows when a delivery fails
for good or is retried by an admin; registered by the app that owns the kind.

A renderer returns what to send, or None when the message is no longer wanted. It runs inside
the message's practice scope and a transaction, at delivery time. A kind whose messages share
queries (a survey email reads its invitation, the practice's policy, and issues a link) may
register a renderer of many messages at once instead (`renders_emails`): a delivery batch
renders each practice's messages of that kind in one call. A delivery hook runs in the same
scope and transaction as the message's change of state.
"""

import uuid
from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives

from notifications.models import OutboxMessage

EmailRenderer = Callable[[OutboxMessage], EmailMultiAlternatives | None]
# Messages of one kind and one practice; returns what to send for each message's id.
EmailsRenderer = Callable[[list[OutboxMessage]], dict[uuid.UUID, EmailMultiAlternatives | None]]
DeliveryHook = Callable[[OutboxMessage], None]
# Takes the ids the outbox row holds; returns the event's `data`.
WebhookDataRenderer = Callable[[dict], dict | None]

# What a delivery hook is told of.
FAILED_FOR_GOOD = "failed_for_good"
RETRIED = "retried"

_email_renderers: dict[str, EmailsRenderer] = {}
_webhook_renderers: dict[str, WebhookDataRenderer] = {}
_delivery_hooks: dict[tuple[str, str], list[DeliveryHook]] = {}


def renders_email(kind: str) -> Callable[[EmailRenderer], EmailRenderer]:
    def register(renderer: EmailRenderer) -> EmailRenderer:
        _email_renderers[kind] = lambda messages: {m.pk: renderer(m) for m in messages}
        return renderer

    return register


def renders_emails(kind: str) -> Callable[[EmailsRenderer], EmailsRenderer]:
    def register(renderer: EmailsRenderer) -> EmailsRenderer:
        _email_renderers[kind] = renderer
        return renderer

    return register


def render_emails(messages: list[OutboxMessage]) -> dict[uuid.UUID, EmailMultiAlternatives | None]:
    """What to send for each of `messages` (of the practice in scope), by message id."""
    by_kind: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        by_kind.setdefault(message.kind, []).append(message)
    emails = {}
    for kind, of_kind in by_kind.items():
        emails |= _email_renderers[kind](of_kind)
    return emails


def render_email(message: OutboxMessage) -> EmailMultiAlternatives | None:
    return render_emails([message])[message.pk]


def on_delivery(event: str, kind: str) -> Callable[[DeliveryHook], DeliveryHook]:
    """Register a hook for `event` (`FAILED_FOR_GOOD`, `RETRIED`) of messages of `kind`."""

    def register(hook: DeliveryHook) -> DeliveryHook:
        _delivery_hooks.setdefault((event, kind), []).append(hook)
        return hook

    return register


def renders_webhook(event: str) -> Callable[[WebhookDataRenderer], WebhookDataRenderer]:
    def register(renderer: WebhookDataRenderer) -> WebhookDataRenderer:
        _webhook_renderers[event] = renderer
        return renderer

    return register


def announce(event: str, message: OutboxMessage) -> None:
    for hook in _delivery_hooks.get((event, message.kind), []):
        hook(message)


def render_webhook_data(event: str, context: dict) -> dict | None:
    return _webhook_renderers[event](context)
