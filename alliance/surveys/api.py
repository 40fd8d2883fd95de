"""REST API for survey policy, instruments, invitations, responses and alliance series."""

import re
import uuid
from datetime import time, timedelta

import segno
from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from alliance.models import Instrument, SurveyInvitation, SurveyPolicy, SurveyResponse
from alliance.surveys import bounds, charts, fhir, selectors, services
from alliance.surveys.emails import survey_url
from alliance.surveys.scoring import is_low
from practice import services as practice_services
from practice.api_base import UUID_PATTERN, PracticeScopedViewSet, ReadOnlyRecordViewSet
from practice.models import Client, Session
from practice.pagination import CreatedCursorPagination
from practice.selectors import client_list, session_list
from practice.serializers import PlainRepresentation

# Serializers


_QUIET_HOURS_TIME = {"type": "string", "pattern": f"^{bounds.QUIET_HOURS_TIME_PATTERN}$"}


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "start": _QUIET_HOURS_TIME | {"example": "21:00"},
            "end": _QUIET_HOURS_TIME | {"example": "08:00"},
        },
        "required": ["start", "end"],
    }
)
class QuietHoursField(serializers.Field):
    """`{"start": "21:00", "end": "08:00"}` in the client's local time, or null for none."""

    def to_representation(self, policy: SurveyPolicy):
        if policy.quiet_hours_start is None or policy.quiet_hours_end is None:
            return None
        return {
            "start": policy.quiet_hours_start.strftime("%H:%M"),
            "end": policy.quiet_hours_end.strftime("%H:%M"),
        }

    def to_internal_value(self, data):
        if data is None:
            return {"quiet_hours_start": None, "quiet_hours_end": None}
        if not isinstance(data, dict) or set(data) != {"start", "end"}:
            raise serializers.ValidationError('Give {"start": "HH:MM", "end": "HH:MM"} or null.')
        if not all(
            isinstance(data[end], str) and re.fullmatch(bounds.QUIET_HOURS_TIME_PATTERN, data[end])
            for end in ("start", "end")
        ):
            raise serializers.ValidationError("Times are HH:MM, e.g. 21:00.")
        return {
            "quiet_hours_start": time.fromisoformat(data["start"]),
            "quiet_hours_end": time.fromisoformat(data["end"]),
        }


def _policy_field(name: str, **options) -> serializers.Field:
    return bounds.SURVEY_POLICY[name].field(required=False, **options)


class SurveyPolicySerializer(serializers.ModelSerializer):
    """The survey policy; its rules (bounds, the reminder before expiry) are the service's."""

    instrument = bounds.INSTRUMENT_CODE.field(source="instrument_code", required=False)
    quiet_hours = QuietHoursField(source="*", required=False, allow_null=True)
    send_delay_minutes = _policy_field("send_delay_minutes")
    every_nth_session = _policy_field("every_nth_session")
    every_n_weeks = _policy_field(
        "every_n_weeks",
        help_text="Under the practice's `survey_cadence` of `weeks`: weeks between surveys.",
    )
    min_days_between = _policy_field("min_days_between")
    reminder_after_hours = _policy_field("reminder_after_hours")
    expires_after_hours = _policy_field("expires_after_hours")
    language = _policy_field(
        "language", help_text="The language of every survey; null: each client's own."
    )

    class Meta:
        model = SurveyPolicy
        fields = [
            "instrument",
            "send_delay_minutes",
            "every_nth_session",
            "every_n_weeks",
            "min_days_between",
            "reminder_after_hours",
            "expires_after_hours",
            "quiet_hours",
            "language",
        ]


def _item_field(name: str, **options) -> serializers.Field:
    return bounds.ITEM[name].field(**options)


class ItemTranslationSerializer(serializers.Serializer):
    """An item's words in one language, for the schema. What arrives goes to the service as
    given, which refuses anything but these three strings (a number coerced to text, or a
    `step` dropped here, would hide a mistake from the practice)."""

    text = _item_field("text", required=False)
    min_label = _item_field("min_label", required=False, allow_blank=True)
    max_label = _item_field("max_label", required=False, allow_blank=True)

    def to_internal_value(self, data):
        return data


class InstrumentItemSerializer(serializers.Serializer):
    """One item; the rules across its parts (min below max, whole steps) are the service's."""

    code = _item_field("code")
    text = _item_field("text")
    min = _item_field("min")
    max = _item_field("max")
    step = _item_field("step", default=1)
    min_label = _item_field("min_label", allow_blank=True, default="")
    max_label = _item_field("max_label", allow_blank=True, default="")
    role = _item_field("role", required=False)
    translations = serializers.DictField(
        child=ItemTranslationSerializer(),
        required=False,
        help_text=f"The item's words in another language: {', '.join(bounds.LANGUAGES)}.",
    )


class ScoringSerializer(serializers.Serializer):
    method = bounds.SCORING_METHOD.field(default="sum")
    subscales = serializers.DictField(
        child=serializers.ListField(child=_item_field("code")), default=dict
    )


def _norm_field(name: str) -> serializers.Field:
    return bounds.INSTRUMENT_NORMS[name].field(required=False)


class InstrumentSerializer(serializers.ModelSerializer):
    code = bounds.INSTRUMENT_CODE.field()
    name = bounds.INSTRUMENT_NAME.field()
    items = InstrumentItemSerializer(many=True)
    scoring = ScoringSerializer(default=lambda: {"method": "sum", "subscales": {}})
    threshold = _norm_field("threshold")
    item_threshold = _norm_field("item_threshold")
    standard_deviation = _norm_field("standard_deviation")
    reliability = _norm_field("reliability")
    built_in = serializers.BooleanField(source="is_built_in", read_only=True)

    class Meta:
        model = Instrument
        fields = [
            "code",
            "version",
            "name",
            "items",
            "scoring",
            "threshold",
            "item_threshold",
            "standard_deviation",
            "reliability",
            "built_in",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]


class InstrumentUpdateSerializer(InstrumentSerializer):
    code = bounds.INSTRUMENT_CODE.field(read_only=True)


class InvitationSerializer(PlainRepresentation, serializers.ModelSerializer):
    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)
    version = serializers.IntegerField(source="instrument.version", read_only=True)

    class Meta:
        model = SurveyInvitation
        fields = [
            "id",
            "client",
            "session",
            "instrument",
            "version",
            "status",
            "channel",
            "send_at",
            "sent_at",
            "opened_at",
            "completed_at",
            "expires_at",
            "reminded_at",
            "created_at",
        ]


class ResponseSerializer(PlainRepresentation, serializers.ModelSerializer):
    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)
    version = serializers.IntegerField(source="instrument.version", read_only=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "client",
            "session",
            "invitation",
            "instrument",
            "version",
            "answers",
            "total",
            "mean",
            "subscales",
            "comment",
            "discuss_request",
            "answered_at",
        ]


class AlliancePointSerializer(PlainRepresentation, serializers.ModelSerializer):
    response = serializers.UUIDField(source="id")
    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)
    version = serializers.IntegerField(source="instrument.version")
    items = serializers.JSONField(source="answers")
    low = serializers.SerializerMethodField()

    class Meta:
        model = SurveyResponse
        fields = [
            "response",
            "session",
            "answered_at",
            "instrument",
            "version",
            "total",
            "mean",
            "subscales",
            "items",
            "discuss_request",
            "low",
        ]

    def get_low(self, response) -> bool:
        return is_low(response.instrument, response.total, response.answers)


class AllianceSeriesSerializer(serializers.Serializer):
    client = serializers.UUIDField()
    points = AlliancePointSerializer(many=True)


class SurveyLinkRequestSerializer(serializers.Serializer):
    expires_in_minutes = serializers.IntegerField(
        min_value=5,
        max_value=240,
        default=30,
        help_text="How long the link may be used; 30 minutes unless said.",
    )


class SurveyLinkSerializer(serializers.Serializer):
    invitation = serializers.UUIDField()
    url = serializers.URLField(help_text="The one-time link; shown only in this answer.")
    expires_at = serializers.DateTimeField()
    qr_svg = serializers.CharField(help_text="The link as a QR code, an SVG image.")


# Filters


class InvitationFilter(filters.FilterSet):
    client = filters.UUIDFilter(field_name="client_id")
    session = filters.UUIDFilter(field_name="session_id")
    status = filters.ChoiceFilter(choices=SurveyInvitation.Status.choices)

    class Meta:
        model = SurveyInvitation
        fields = ["client", "session", "status"]


class ResponseFilter(filters.FilterSet):
    client = filters.UUIDFilter(field_name="client_id")
    session = filters.UUIDFilter(field_name="session_id")

    class Meta:
        model = SurveyResponse
        fields = ["client", "session"]


# Views


class SurveyPolicyViewSet(PracticeScopedViewSet):
    """The practice's survey policy: one per practice, with defaults until changed."""

    serializer_class = SurveyPolicySerializer

    def retrieve(self, request):
        return Response(SurveyPolicySerializer(selectors.survey_policy()).data)

    def update(self, request, partial=False):
        serializer = SurveyPolicySerializer(
            selectors.survey_policy(), data=request.data, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        policy = services.survey_policy_update(**serializer.validated_data)
        return Response(SurveyPolicySerializer(policy).data)

    def partial_update(self, request):
        return self.update(request, partial=True)


class InstrumentsByCode(CreatedCursorPagination):
    ordering = ("code", "id")


class InstrumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PracticeScopedViewSet):
    """Built-in instruments and the practice's own, current versions; POST adds one."""

    serializer_class = InstrumentSerializer
    lookup_field = "code"
    lookup_value_regex = bounds.CODE_PATTERN
    pagination_class = InstrumentsByCode
    http_method_names = ["get", "post", "patch", "head", "options"]

    model = Instrument

    def select_records(self):
        return selectors.instrument_list()

    def get_object(self):
        instrument = selectors.instrument_current(self.kwargs["code"])
        if instrument is None:
            raise NotFound()
        return instrument

    def create(self, request):
        serializer = InstrumentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instrument = services.instrument_create(**serializer.validated_data)
        return Response(InstrumentSerializer(instrument).data, status=201)

    @extend_schema(request=InstrumentUpdateSerializer, responses=InstrumentSerializer)
    def partial_update(self, request, code=None):
        instrument = self.get_object()
        serializer = InstrumentUpdateSerializer(instrument, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.instrument_update(instrument=instrument, **serializer.validated_data)
        return Response(InstrumentSerializer(updated).data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def fhir(self, request, code=None):
        """The instrument as a FHIR R4 Questionnaire."""
        return Response(fhir.questionnaire(self.get_object()), content_type="application/fhir+json")


class InvitationViewSet(ReadOnlyRecordViewSet):
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter
    model = SurveyInvitation

    def select_records(self):
        return selectors.invitation_list()


class NewestAnswersFirst(CreatedCursorPagination):
    ordering = ("-answered_at", "-id")


class ResponseViewSet(ReadOnlyRecordViewSet):
    serializer_class = ResponseSerializer
    pagination_class = NewestAnswersFirst
    filterset_class = ResponseFilter
    model = SurveyResponse

    def select_records(self):
        return selectors.response_list()

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def fhir(self, request, pk=None):
        """The response as a FHIR R4 QuestionnaireResponse."""
        return Response(
            fhir.questionnaire_response(self.get_object()), content_type="application/fhir+json"
        )


class ClientAllianceViewSet(PracticeScopedViewSet):
    """A client's alliance over time, as data and as a chart."""

    lookup_value_regex = UUID_PATTERN
    serializer_class = AllianceSeriesSerializer

    model = Client

    def select_records(self):
        return client_list()

    @action(detail=True, methods=["get"])
    def alliance(self, request, pk=None):
        """Every answer of the client, oldest first."""
        points = list(selectors.alliance_points(client_id=pk))
        if not points:
            # Answers are the practice's own, so a client with any is one of its clients; only
            # a series without answers needs the client read, to tell a new client from a 404.
            self.get_object()
        return Response(
            {
                "client": str(uuid.UUID(pk)),
                "points": AlliancePointSerializer(points, many=True).data,
            }
        )

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="new-episode")
    def new_episode(self, request, pk=None):
        """Start a new episode of care: the drop rule's baseline starts again."""
        client = practice_services.client_start_new_episode(client=self.get_object())
        return Response({"client": str(client.pk), "episode_started_at": client.episode_started_at})

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="alliance/chart")
    def alliance_chart(self, request, pk=None):
        """The client's totals over time as an SVG image, with the threshold and low answers."""
        client = self.get_object()
        return HttpResponse(charts.client_alliance_chart(client), content_type="image/svg+xml")


class AllianceSummaryViewSet(PracticeScopedViewSet):
    extra_query_params = {"list": ("clinician",)}

    @extend_schema(
        parameters=[OpenApiParameter("clinician", OpenApiTypes.UUID)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        """Response rate, mean and latest totals, and clients below threshold; per clinician
        with `?clinician=`."""
        clinician = request.query_params.get("clinician")
        if clinician is not None:
            clinician = serializers.UUIDField().run_validation(clinician)
        return Response(selectors.alliance_summary(clinician_id=clinician))


class SessionSurveyLinkViewSet(PracticeScopedViewSet):
    """A survey link for answering in the session, on the clinic's tablet or the client's
    phone."""

    lookup_value_regex = UUID_PATTERN
    serializer_class = SurveyLinkSerializer
    model = Session
    # The link is one-time: an idempotent repeat never shows it again.
    shown_once_fields = ("url", "qr_svg")

    def select_records(self):
        return session_list()

    @extend_schema(request=SurveyLinkRequestSerializer, responses={201: SurveyLinkSerializer})
    @action(detail=True, methods=["post"], url_path="survey-link")
    def survey_link(self, request, pk=None):
        """A short-lived one-time link to the session's survey, and its QR code: the session's
        invitation (made now if it has none) with a fresh token that revokes any earlier one.
        The client's consent applies; the every-Nth and minimum-days rules do not. A repeat
        with the same `Idempotency-Key` does not show the link again: ask for a new one."""
        asked = SurveyLinkRequestSerializer(data=request.data or {})
        asked.is_valid(raise_exception=True)
        invitation, token, expires_at = services.invitation_link_for_session(
            session=self.get_object(),
            lifetime=timedelta(minutes=asked.validated_data["expires_in_minutes"]),
        )
        url = survey_url(token)
        return Response(
            {
                "invitation": str(invitation.pk),
                "url": url,
                "expires_at": expires_at,
                "qr_svg": segno.make(url, error="m").svg_inline(scale=4, title="Survey link"),
            },
            status=201,
        )
