"""REST API for clinicians, clients and sessions: translate HTTP to services and back."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from practice import selectors, services
from practice.api_base import PracticeScopedViewSet, ReadOnlyRecordViewSet
from practice.listing import (
    REASONABLE_TIME_MESSAGE,
    FilterBackend,
    is_reasonable_time,
    parse_aware_datetime,
    parse_time_or_none,
)
from practice.models import (
    EXTERNAL_ID_PATTERN,
    Client,
    Clinician,
    Membership,
    Practice,
    RecordType,
    Session,
    SurveyChannel,
    Tombstone,
    validate_timezone,
)
from practice.pagination import CreatedCursorPagination
from practice.serializers import PlainRepresentation
from practice.tenancy import current_practice


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must say its UTC offset: a session time without one is
    ambiguous for a practice whose clients live in several time zones."""

    def to_internal_value(self, value):
        parsed = parse_time_or_none(value)
        if parsed is not None and parsed.tzinfo is None:
            self.fail("naive")
        if parsed is not None and not is_reasonable_time(parsed):
            self.fail("unreasonable")
        return super().to_internal_value(value)

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-05-04T15:00:00+02:00.",
        "unreasonable": REASONABLE_TIME_MESSAGE,
    }


class _ReasonableIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        parsed = parse_time_or_none(value)
        if parsed is not None and not is_reasonable_time(parsed):
            raise DjangoValidationError(REASONABLE_TIME_MESSAGE)
        return super().to_python(value)


class ReasonableIsoDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 filter bound by the same limits as `AwareDateTimeField`."""

    field_class = _ReasonableIsoDateTimeField


EXTERNAL_ID_HELP = "The practice's own id for this record (its EHR's), unique in the practice."


class TimeZoneField(serializers.CharField):
    """An IANA time zone name; left out, the practice's."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "IANA time zone; defaults to the practice's.")
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            validate_timezone(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value


class MemberSerializer(serializers.ModelSerializer):
    clinician = serializers.PrimaryKeyRelatedField(
        queryset=Clinician.objects,
        required=False,
        allow_null=True,
        help_text="The clinician this member is; required for the clinician role.",
    )

    class Meta:
        model = Membership
        fields = ["id", "email", "role", "clinician", "active", "created_at", "updated_at"]


class ClinicianSerializer(PlainRepresentation, serializers.ModelSerializer):
    timezone = TimeZoneField()

    class Meta:
        model = Clinician
        fields = [
            "id",
            "external_id",
            "name",
            "email",
            "active",
            "timezone",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"external_id": {"help_text": EXTERNAL_ID_HELP, "allow_blank": False}}


class ClinicianUpsertSerializer(ClinicianSerializer):
    """A clinician put by external id: the id comes from the address."""

    class Meta(ClinicianSerializer.Meta):
        read_only_fields = ["external_id"]


class ExternalReferenceField(serializers.CharField):
    """A related record named by the practice's own id instead of ours."""

    def __init__(self, **kwargs):
        super().__init__(required=False, write_only=True, max_length=128, **kwargs)


class ClientSerializer(PlainRepresentation, serializers.ModelSerializer):
    clinician = serializers.PrimaryKeyRelatedField(queryset=Clinician.objects)
    timezone = TimeZoneField()

    class Meta:
        model = Client
        fields = [
            "id",
            "external_id",
            "name",
            "email",
            "clinician",
            "survey_consent",
            "opted_out_at",
            "timezone",
            "language",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "opted_out_at"]
        extra_kwargs = {"external_id": {"help_text": EXTERNAL_ID_HELP, "allow_blank": False}}


class ClientUpdateSerializer(ClientSerializer):
    class Meta(ClientSerializer.Meta):
        read_only_fields = ["opted_out_at"]


class ClientUpsertSerializer(ClientSerializer):
    """A client put by external id; the clinician is named by `clinician` or by
    `clinician_external_id`."""

    clinician = serializers.PrimaryKeyRelatedField(queryset=Clinician.objects, required=False)
    clinician_external_id = ExternalReferenceField(
        help_text="The clinician's external id, instead of `clinician`."
    )

    class Meta(ClientSerializer.Meta):
        fields = [*ClientSerializer.Meta.fields, "clinician_external_id"]
        read_only_fields = ["external_id", "opted_out_at"]


class SessionSerializer(PlainRepresentation, serializers.ModelSerializer):
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
            "external_id",
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
        extra_kwargs = {"external_id": {"help_text": EXTERNAL_ID_HELP, "allow_blank": False}}


class SessionUpdateSerializer(SessionSerializer):
    """A session can move in time or to another clinician, never to another client."""

    client = serializers.PrimaryKeyRelatedField(read_only=True)


class SessionUpsertSerializer(SessionSerializer):
    """A session put by external id, naming its client and clinician by id or external id.

    A new session may arrive in any state; one that arrives completed is history and plans no
    survey. A known scheduled session that arrives completed is completed now, as with
    `complete/`, and its survey is planned.
    """

    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects, required=False)
    client_external_id = ExternalReferenceField(
        help_text="The client's external id, instead of `client`."
    )
    clinician_external_id = ExternalReferenceField(
        help_text="The clinician's external id, instead of `clinician`."
    )
    completed_at = AwareDateTimeField(
        required=False, help_text="For a session recorded as completed: when it ended."
    )

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "client_external_id", "clinician_external_id"]
        read_only_fields = ["external_id", "sequence"]


class ExternalIdFilter(filters.FilterSet):
    external_id = filters.CharFilter(help_text="The practice's own id for the record.")


class ClinicianFilter(ExternalIdFilter):
    class Meta:
        model = Clinician
        fields = ["external_id"]


class ClientFilter(ExternalIdFilter):
    clinician = filters.UUIDFilter(field_name="clinician_id")
    status = filters.ChoiceFilter(choices=Client.Status.choices)

    class Meta:
        model = Client
        fields = ["clinician", "status", "external_id"]


class SessionFilter(ExternalIdFilter):
    client = filters.UUIDFilter(field_name="client_id")
    clinician = filters.UUIDFilter(field_name="clinician_id")
    status = filters.ChoiceFilter(choices=Session.Status.choices)
    starts_after = ReasonableIsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = ReasonableIsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Session
        fields = ["client", "clinician", "status", "starts_after", "starts_before", "external_id"]


class EditableRecordViewSet(ReadOnlyRecordViewSet):
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


class RecordViewSet(EditableRecordViewSet):
    """An editable record that the practice may also GET or PUT by its own id at
    `external/{external_id}/`."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    upsert_serializer_class: type[serializers.Serializer]

    def get_serializer_class(self):
        if self.action == "external" and self.request and self.request.method == "PUT":
            return self.upsert_serializer_class
        return super().get_serializer_class()

    def upsert_record(self, external_id: str, data: dict):
        raise NotImplementedError

    @action(
        detail=False,
        methods=["get", "put"],
        url_path=rf"external/(?P<external_id>{EXTERNAL_ID_PATTERN})",
    )
    def external(self, request, external_id: str):
        """GET: the record the practice knows by `external_id`. PUT: create it (201) or update
        it (200); fields left out keep their value, or take their default when created."""
        if request.method == "GET":
            instance = get_object_or_404(self.get_queryset(), external_id=external_id)
            return Response(self.serializer_class(instance).data)
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        instance, created = self.upsert_record(external_id, serializer.validated_data)
        return Response(
            self.serializer_class(instance).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _external_schema(*, upsert, record):
    """The OpenAPI description of `external/{external_id}/`, whose PUT creates or updates."""
    return extend_schema_view(
        external=extend_schema(
            methods=["PUT"], request=upsert, responses={200: record, 201: record}
        )
    )


class MemberViewSet(mixins.DestroyModelMixin, EditableRecordViewSet):
    """The practice's members: who may sign in to its pages, and what they see there.

    A membership is this practice's alone; an address that is a member elsewhere too is not
    told apart here in any way.
    """

    model = Membership
    serializer_class = update_serializer_class = MemberSerializer

    def select_records(self):
        return selectors.member_list().order_by()

    def create_record(self, data):
        return services.member_create(**data)

    def update_record(self, instance, data):
        return services.member_update(member=instance, **data)

    def perform_destroy(self, instance):
        services.member_delete(member=instance)


@_external_schema(upsert=ClinicianUpsertSerializer, record=ClinicianSerializer)
class ClinicianViewSet(mixins.DestroyModelMixin, RecordViewSet):
    model = Clinician
    serializer_class = update_serializer_class = ClinicianSerializer
    upsert_serializer_class = ClinicianUpsertSerializer
    filterset_class = ClinicianFilter

    def select_records(self):
        return selectors.clinician_list()

    def create_record(self, data):
        return services.clinician_create(timezone_name=data.pop("timezone", None), **data)

    def update_record(self, instance, data):
        return services.clinician_update(clinician=instance, **data)

    def upsert_record(self, external_id, data):
        return services.clinician_upsert(external_id=external_id, **data)

    def perform_destroy(self, instance):
        services.clinician_delete(clinician=instance)


@_external_schema(upsert=ClientUpsertSerializer, record=ClientSerializer)
class ClientViewSet(mixins.DestroyModelMixin, RecordViewSet):
    model = Client
    serializer_class = ClientSerializer
    update_serializer_class = ClientUpdateSerializer
    upsert_serializer_class = ClientUpsertSerializer
    filterset_class = ClientFilter

    def select_records(self):
        return selectors.client_list()

    def create_record(self, data):
        return services.client_create(timezone_name=data.pop("timezone", None), **data)

    def update_record(self, instance, data):
        return services.client_update(client=instance, **data)

    def upsert_record(self, external_id, data):
        return services.client_upsert(external_id=external_id, **data)

    def perform_destroy(self, instance):
        services.client_delete(client=instance)


@_external_schema(upsert=SessionUpsertSerializer, record=SessionSerializer)
class SessionViewSet(RecordViewSet):
    model = Session
    serializer_class = SessionSerializer
    update_serializer_class = SessionUpdateSerializer
    upsert_serializer_class = SessionUpsertSerializer
    filterset_class = SessionFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def select_records(self):
        return selectors.session_list()

    def create_record(self, data):
        return services.session_create(**data)

    def update_record(self, instance, data):
        return services.session_update(session=instance, **data)

    def upsert_record(self, external_id, data):
        return services.session_upsert(external_id=external_id, **data)

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


class TombstoneSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(source="record_type", choices=RecordType.choices)
    id = serializers.UUIDField(source="record_id", help_text="The erased record's id.")

    class Meta:
        model = Tombstone
        fields = ["type", "id", "deleted_at"]


class TombstoneFilter(filters.FilterSet):
    since = filters.CharFilter(
        method="erased_since",
        help_text="Only erasures at or after this time (ISO 8601 with its offset), inclusive.",
    )

    class Meta:
        model = Tombstone
        fields = ["since"]

    def erased_since(self, queryset, name, value):
        return queryset.filter(deleted_at__gte=parse_aware_datetime(name, value))


class OldestErasureFirst(CreatedCursorPagination):
    ordering = ("deleted_at", "id")


class DeletionViewSet(mixins.ListModelMixin, PracticeScopedViewSet):
    """Records erased from the practice, oldest first, so that a system that syncs can erase
    its copies: only each record's type and id, and when it went."""

    model = Tombstone
    serializer_class = TombstoneSerializer
    filterset_class = TombstoneFilter
    filter_backends = [FilterBackend]
    pagination_class = OldestErasureFirst

    def select_records(self):
        return selectors.tombstone_list()


class PracticeSettingsSerializer(serializers.ModelSerializer):
    brief_hour = serializers.TimeField(
        format="%H:%M",
        help_text="Local time of the clinicians' daily brief, in each one's time zone (07:30).",
    )
    survey_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=SurveyChannel.choices),
        min_length=1,
        max_length=2,
        required=False,
        help_text="How survey links reach clients: `email`, `webhook` (a `survey.ready` event "
        "for the practice's own SMS or portal), or both.",
    )
    reply_to_email = serializers.EmailField(
        allow_blank=True, required=False, help_text="Where replies to survey emails go."
    )

    class Meta:
        model = Practice
        fields = [
            "id",
            "name",
            "timezone",
            "brief_hour",
            "alert_url_template",
            "survey_channels",
            "survey_cadence",
            "reply_to_email",
        ]
        read_only_fields = ["id"]

    def validate_survey_channels(self, channels: list[str]) -> list[str]:
        if len(set(channels)) != len(channels):
            raise serializers.ValidationError("Name each channel once.")
        return sorted(channels)


class PracticeSettingsViewSet(PracticeScopedViewSet):
    """`practice/`: the practice's own settings, read and changed with its key."""

    model = Practice
    serializer_class = PracticeSettingsSerializer

    def select_records(self):
        # Read afresh: the practice the request's key names may be remembered from earlier.
        return Practice.objects.filter(pk=current_practice().pk)

    def retrieve(self, request):
        return Response(self.serializer_class(self.get_queryset().get()).data)

    def partial_update(self, request):
        practice = self.get_queryset().get()
        serializer = self.serializer_class(practice, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        practice = services.practice_update(practice=practice, **serializer.validated_data)
        return Response(self.serializer_class(practice).data)
