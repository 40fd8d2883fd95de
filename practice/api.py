"""REST API for clinicians, clients and sessions: translate HTTP to services and back."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from practice import selectors, services
from practice.api_base import PracticeScopedViewSet
from practice.models import Client, Clinician, Session, validate_timezone

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must say its UTC offset: a session time without one is
    ambiguous for a practice whose clients live in several time zones."""

    def to_internal_value(self, value):
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is not None and parsed.tzinfo is None:
            self.fail("naive")
        return super().to_internal_value(value)

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-05-04T15:00:00+02:00."
    }


class ClinicianSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clinician
        fields = ["id", "name", "email", "active", "created_at", "updated_at"]


class ClientSerializer(serializers.ModelSerializer):
    clinician = serializers.PrimaryKeyRelatedField(queryset=Clinician.objects)
    timezone = serializers.CharField(
        required=False, help_text="IANA time zone; defaults to the practice's."
    )

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "email",
            "clinician",
            "survey_consent",
            "timezone",
            "language",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status"]

    def validate_timezone(self, value: str) -> str:
        try:
            validate_timezone(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value


class ClientUpdateSerializer(ClientSerializer):
    class Meta(ClientSerializer.Meta):
        read_only_fields = []


class SessionSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects)
    clinician = serializers.PrimaryKeyRelatedField(
        queryset=Clinician.objects,
        required=False,
        help_text="Defaults to the client's clinician.",
    )
    starts_at = AwareDateTimeField()

    class Meta:
        model = Session
        fields = [
            "id",
            "client",
            "clinician",
            "starts_at",
            "duration_minutes",
            "status",
            "completed_at",
            "sequence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "completed_at", "sequence"]


class SessionUpdateSerializer(SessionSerializer):
    """A session can move in time or to another clinician, never to another client."""

    client = serializers.PrimaryKeyRelatedField(read_only=True)


class ClientFilter(filters.FilterSet):
    clinician = filters.UUIDFilter(field_name="clinician_id")
    status = filters.ChoiceFilter(choices=Client.Status.choices)

    class Meta:
        model = Client
        fields = ["clinician", "status"]


class SessionFilter(filters.FilterSet):
    client = filters.UUIDFilter(field_name="client_id")
    clinician = filters.UUIDFilter(field_name="clinician_id")
    status = filters.ChoiceFilter(choices=Session.Status.choices)
    starts_after = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Session
        fields = ["client", "clinician", "status", "starts_after", "starts_before"]


class ReadOnlyRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, PracticeScopedViewSet
):
    """List and read a practice's records, found by their UUID."""

    lookup_value_regex = UUID_PATTERN


class RecordViewSet(ReadOnlyRecordViewSet):
    """List, read, create and PATCH a practice's records through its services."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    update_serializer_class: type[serializers.Serializer]

    def get_serializer_class(self):
        if self.action == "partial_update":
            return self.update_serializer_class
        return self.serializer_class

    def create_record(self, data: dict):
        raise NotImplementedError

    def update_record(self, instance, data: dict):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.create_record(serializer.validated_data)
        return Response(self.serializer_class(instance).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        instance = self.update_record(serializer.instance, serializer.validated_data)
        return Response(self.serializer_class(instance).data)


class ClinicianViewSet(mixins.DestroyModelMixin, RecordViewSet):
    model = Clinician
    serializer_class = update_serializer_class = ClinicianSerializer

    def select_records(self):
        return selectors.clinician_list()

    def create_record(self, data):
        return services.clinician_create(**data)

    def update_record(self, instance, data):
        return services.clinician_update(clinician=instance, **data)

    def perform_destroy(self, instance):
        services.clinician_delete(clinician=instance)


class ClientViewSet(mixins.DestroyModelMixin, RecordViewSet):
    model = Client
    serializer_class = ClientSerializer
    update_serializer_class = ClientUpdateSerializer
    filterset_class = ClientFilter

    def select_records(self):
        return selectors.client_list()

    def create_record(self, data):
        return services.client_create(timezone_name=data.pop("timezone", None), **data)

    def update_record(self, instance, data):
        return services.client_update(client=instance, **data)

    def perform_destroy(self, instance):
        services.client_delete(client=instance)


class SessionViewSet(RecordViewSet):
    model = Session
    serializer_class = SessionSerializer
    update_serializer_class = SessionUpdateSerializer
    filterset_class = SessionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select_records(self):
        return selectors.session_list()

    def create_record(self, data):
        return services.session_create(**data)

    def update_record(self, instance, data):
        return services.session_update(session=instance, **data)

    def _transition(self, transition) -> Response:
        session, _ = transition(session=self.get_object())
        return Response(SessionSerializer(session).data)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the session completed and plan its survey; repeating it changes nothing."""
        return self._transition(services.session_complete)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(services.session_cancel)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        return self._transition(services.session_mark_no_show)
