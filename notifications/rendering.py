"""How each kind of outbox message becomes an email, registered by the app that owns it.

A renderer takes the message and returns the email to send, or None when the message is no
longer wanted. It runs inside the message's practice scope, at delivery time.
"""

from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives

from notifications.models import OutboxMessage

EmailRenderer = Callable[[OutboxMessage], EmailMultiAlternatives | None]

_email_renderers: dict[str, EmailRenderer] = {}


def renders_email(kind: str) -> Callable[[EmailRenderer], EmailRenderer]:
    def register(renderer: EmailRenderer) -> EmailRenderer:
        _email_renderers[kind] = renderer
        return renderer

    return register


def render_email(message: OutboxMessage) -> EmailMultiAlternatives | None:
    return _email_renderers[message.kind](message)
