"""The delivery log over the API."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from notifications import bounds, selectors, services
from notifications.models import OutboxMessage, SuppressedAddress, WebhookEndpoint
from practice.api_base import ReadOnlyRecordViewSet
from practice.serializers import PlainRepresentation


class MessageSerializer(PlainRepresentation, serializers.ModelSerializer):
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


class MessageViewSet(ReadOnlyRecordViewSet):
    """Every email and webhook the practice's records caused, and how its delivery went."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    model = OutboxMessage

    def select_records(self):
        return selectors.message_list()


class WebhookEndpointSerializer(serializers.ModelSerializer):
    """An endpoint; its rules (http or https only, known events) are the service's."""

    url = serializers.URLField(max_length=bounds.URL_MAX_LENGTH)
    events = serializers.ListField(child=bounds.EVENT.field(), allow_empty=False)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "active", "disabled_reason", "created_at", "updated_at"]
        read_only_fields = ["disabled_reason"]


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True)

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointViewSet(mixins.DestroyModelMixin, ReadOnlyRecordViewSet):
    """Where the practice's events go. The signing secret is shown only when it is made."""

    # The signing secret is shown in the answer to POST only, never again in a replay.
    shown_once_fields = ("secret",)

    serializer_class = WebhookEndpointSerializer
    model = WebhookEndpoint
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    list_actions = ("list", "deliveries")

    def select_records(self):
        return selectors.webhook_endpoint_list()

    @extend_schema(responses={201: WebhookEndpointWithSecretSerializer})
    def create(self, request):
        endpoint_input = WebhookEndpointSerializer(data=request.data)
        endpoint_input.is_valid(raise_exception=True)
        endpoint, secret = services.webhook_endpoint_create(**endpoint_input.validated_data)
        body = WebhookEndpointSerializer(endpoint).data | {"secret": secret}
        return Response(body, status=201)

    def partial_update(self, request, pk=None):
        changes = WebhookEndpointSerializer(self.get_object(), data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(
            endpoint=changes.instance, **changes.validated_data
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(request=None, responses=WebhookEndpointWithSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new secret, shown now; the old one keeps signing for the overlap."""
        endpoint, secret = services.webhook_endpoint_rotate_secret(endpoint=self.get_object())
        return Response(WebhookEndpointSerializer(endpoint).data | {"secret": secret})

    @extend_schema(responses=MessageSerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """Every event sent to this endpoint, newest first, with attempts and the last error."""
        endpoint = self.get_object()
        deliveries = self.filter_queryset(selectors.webhook_deliveries(endpoint_id=endpoint.pk))
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(MessageSerializer(page, many=True).data)


class SuppressedAddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = SuppressedAddress
        fields = ["id", "address", "reason", "created_at"]


class SuppressedAddressViewSet(mixins.DestroyModelMixin, ReadOnlyRecordViewSet):
    """Addresses the practice's email no longer goes to: they bounced for good, their owner
    complained, or the mail server refused them. DELETE lifts one (the client gave a working
    address, or asked to be emailed again)."""

    serializer_class = SuppressedAddressSerializer
    model = SuppressedAddress
    http_method_names = ["get", "delete", "head", "options"]

    def select_records(self):
        return selectors.suppressed_address_list()

    def perform_destroy(self, instance):
        services.address_unsuppress(suppressed=instance)
