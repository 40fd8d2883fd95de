"""Reads for the delivery log."""

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet

from notifications.models import OutboxMessage, SuppressedAddress, WebhookEndpoint


def message_list() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.all()


def webhook_endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.all()


def webhook_deliveries(*, endpoint_id) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        channel=OutboxMessage.Channel.WEBHOOK, recipient=str(endpoint_id)
    )


def outbox_counts_across_practices() -> dict[str, int]:
    """How many messages are in each state, for operators (counts only, no content)."""
    rows = OutboxMessage.across_practices_unsafe.values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(OutboxMessage.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def suppressed_among(addresses: list[str]) -> list[str]:
    """Which of `addresses` the practice's email must not go to."""
    wanted = [address.strip().lower() for address in addresses]
    return list(
        SuppressedAddress.objects.filter(address__in=wanted).values_list("address", flat=True)
    )


def suppressed_address_list() -> QuerySet[SuppressedAddress]:
    return SuppressedAddress.objects.all()


def message_for_provider_event_unsafe(
    *, outbox_message_id: str | None, provider_message_id: str
) -> OutboxMessage | None:
    """The email a provider's tracking event is about, by the id we sent along with it or the
    one the provider gave it. The event tells the practice, so this looks across practices."""
    messages = OutboxMessage.across_practices_unsafe.filter(channel=OutboxMessage.Channel.EMAIL)
    if outbox_message_id:
        try:
            found = messages.filter(pk=outbox_message_id).first()
        except ValidationError:
            found = None
        if found is not None:
            return found
    if not provider_message_id:
        return None
    bare = provider_message_id.strip().strip("<>")
    return messages.filter(provider_message_id__in=[bare, f"<{bare}>"]).first()
