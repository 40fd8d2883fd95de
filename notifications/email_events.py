"""What email providers report back through their tracking webhooks (django-anymail): a
bounce, a complaint or a rejection fails the message and suppresses the address.

Anymail checks each provider's signature (and the shared basic-auth secret) before it sends
the `tracking` signal; the view refuses every request while no secret is configured.
"""

from functools import wraps

from anymail.signals import AnymailTrackingEvent, tracking
from django.conf import settings
from django.http import HttpResponseNotFound

from notifications import services


def record_tracking_event(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    services.message_fate_record(
        event_type=event.event_type,
        recipient=event.recipient or "",
        outbox_message_id=(event.metadata or {}).get("outbox_message"),
        provider_message_id=event.message_id or "",
    )


def connect() -> None:
    tracking.connect(record_tracking_event, dispatch_uid="notifications.email_events")


def only_with_a_webhook_secret(view):
    """Anymail accepts unauthenticated posts (with a warning) when it has no shared secret;
    here they are refused, so nobody can suppress a practice's clients with forged bounces."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
            return HttpResponseNotFound()
        return view(request, *args, **kwargs)

    return guarded
