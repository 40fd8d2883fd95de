"""The delivery log over the API."""

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers

from notifications import selectors
from notifications.models import OutboxMessage
from practice.api import UUID_PATTERN
from practice.api_base import PracticeScopedViewSet


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "kind",
            "channel",
            "recipient",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "sent_at",
            "provider_message_id",
            "created_at",
            "updated_at",
        ]


class MessageFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=OutboxMessage.Status.choices)
    kind = filters.ChoiceFilter(choices=OutboxMessage.Kind.choices)

    class Meta:
        model = OutboxMessage
        fields = ["status", "kind"]


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PracticeScopedViewSet):
    """Every email and webhook the practice's records caused, and how its delivery went."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    lookup_value_regex = UUID_PATTERN

    model = OutboxMessage

    def select_records(self):
        return selectors.message_list()
