"""How each kind of outbox message becomes an email, how a webhook event whose data may not
wait in the outbox (a one-time link) becomes its data, and what follows when a delivery fails
for good or is retried by an admin; registered by the app that owns the kind.

A renderer returns what to send, or None when the message is no longer wanted. It runs inside
the message's practice scope and a transaction, at delivery time. A delivery hook runs in the
same scope and transaction as the message's change of state.
"""

from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives

from notifications.models import OutboxMessage

EmailRenderer = Callable[[OutboxMessage], EmailMultiAlternatives | None]
DeliveryHook = Callable[[OutboxMessage], None]
# Takes the ids the outbox row holds; returns the event's `data`.
WebhookDataRenderer = Callable[[dict], dict | None]

# What a delivery hook is told of.
FAILED_FOR_GOOD = "failed_for_good"
RETRIED = "retried"

_email_renderers: dict[str, EmailRenderer] = {}
_webhook_renderers: dict[str, WebhookDataRenderer] = {}
_delivery_hooks: dict[tuple[str, str], list[DeliveryHook]] = {}


def renders_email(kind: str) -> Callable[[EmailRenderer], EmailRenderer]:
    def register(renderer: EmailRenderer) -> EmailRenderer:
        _email_renderers[kind] = renderer
        return renderer

    return register


def render_email(message: OutboxMessage) -> EmailMultiAlternatives | None:
    return _email_renderers[message.kind](message)


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
