"""Reads for the delivery log."""

from django.db.models import Count, QuerySet

from notifications.models import OutboxMessage, WebhookEndpoint


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
