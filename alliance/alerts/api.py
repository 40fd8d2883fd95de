"""REST API for alerts, alert rules and the clinicians' briefs."""

import zoneinfo

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from alliance.alerts import selectors, services
from alliance.alerts.defaults import BOUNDS
from alliance.alerts.wording import evidence_in_words
from alliance.models import Alert, AlertAction
from practice.actors import Actor
from practice.api_base import UUID_PATTERN, PracticeScopedViewSet, ReadOnlyRecordViewSet
from practice.errors import InvalidInput
from practice.models import Clinician
from practice.serializers import PlainRepresentation


class AlertActionRecordSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = AlertAction
        fields = ["kind", "by", "note", "session", "created_at"]

    def get_by(self, action: AlertAction) -> dict:
        """Who acted: a member (id and address) or an API key (id and name); the id is null
        once the member was removed or the key deleted."""
        if action.actor_type == "api_key":
            key = str(action.api_key_id) if action.api_key_id else None
            return {"type": "api_key", "id": key, "name": action.by}
        member = str(action.member_id) if action.member_id else None
        return {"type": "member", "id": member, "email": action.by}


class AlertSerializer(PlainRepresentation, serializers.ModelSerializer):
    explanation = serializers.SerializerMethodField(
        help_text="The evidence in plain words, in the request's language (Accept-Language)."
    )
    actions = AlertActionRecordSerializer(many=True, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "client",
            "clinician",
            "session",
            "kind",
            "severity",
            "status",
            "evidence",
            "explanation",
            "created_at",
            "updated_at",
            "escalated_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_note",
            "resolved_at",
            "resolved_by",
            "resolved_note",
            "actions",
        ]
        extra_kwargs = {
            "acknowledged_by": {"help_text": "Who acknowledged: a member's address or a key's."},
            "resolved_by": {"help_text": "Who resolved: a member's address or a key's name."},
        }

    def get_explanation(self, alert: Alert) -> str:
        return evidence_in_words(alert.kind, alert.evidence)


class AlertActionSerializer(serializers.Serializer):
    """What an action may say. Who acts is never given: it is the request's API key."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AlertFilter(filters.FilterSet):
    client = filters.UUIDFilter(field_name="client_id")
    clinician = filters.UUIDFilter(field_name="clinician_id")
    kind = filters.ChoiceFilter(choices=Alert.Kind.choices)
    status = filters.ChoiceFilter(choices=Alert.Status.choices)
    severity = filters.ChoiceFilter(choices=Alert.Severity.choices)

    class Meta:
        model = Alert
        fields = ["client", "clinician", "kind", "status", "severity"]


class AlertViewSet(ReadOnlyRecordViewSet):
    """Alerts raised by the practice's rules, with the evidence behind each."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    model = Alert

    def select_records(self):
        return selectors.alert_list()

    def _act(self, request, service):
        action_input = AlertActionSerializer(data=request.data)
        action_input.is_valid(raise_exception=True)
        alert = service(
            alert=self.get_object(),
            actor=Actor(api_key=request.auth),
            note=action_input.validated_data["note"],
        )
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=AlertActionSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The clinician has seen the alert; repeating it changes nothing."""
        return self._act(request, services.alert_acknowledge)

    @extend_schema(request=AlertActionSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The rupture was talked about; a new alert of this kind may fire again later."""
        return self._act(request, services.alert_resolve)


# For the schema only: the service checks settings against the same `BOUNDS`.
AlertRulesSerializer = type(
    "AlertRulesSerializer",
    (serializers.Serializer,),
    {
        rule: type(
            f"{rule.title().replace('_', '')}RuleSerializer",
            (serializers.Serializer,),
            {field: bound.field(required=False) for field, bound in fields.items()},
        )(required=False)
        for rule, fields in BOUNDS.items()
    },
)


class AlertRulesPreviewSerializer(serializers.Serializer):
    settings = AlertRulesSerializer(required=False, help_text="The proposed settings.")
    days = serializers.IntegerField(
        required=False, help_text="How many days of the practice's answers to replay (90)."
    )


class AlertRulesViewSet(PracticeScopedViewSet):
    """Every threshold, window and severity of the alert rules, per practice."""

    serializer_class = AlertRulesSerializer

    def retrieve(self, request):
        return Response(selectors.alert_rules())

    def update(self, request):
        return Response(services.alert_rules_update(settings=request.data))

    partial_update = update

    @extend_schema(request=AlertRulesPreviewSerializer, responses=OpenApiTypes.OBJECT)
    def preview(self, request):
        """What the practice's answers of the last `days` would have raised under the proposed
        settings and under the current ones; sends nothing and changes nothing."""
        if not isinstance(request.data, dict):
            raise InvalidInput({"settings": ["Must be an object of rules."]})
        return Response(
            services.alert_rules_preview(
                settings=request.data.get("settings", {}),
                days=request.data.get("days", services.PREVIEW_DAYS),
            )
        )


class BriefQuerySerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False, help_text="The day, in the clinician's time zone; today if left out."
    )


class BriefAlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = ["id", "kind", "severity", "status"]


class BriefSessionSerializer(serializers.Serializer):
    session = serializers.UUIDField(source="session.pk")
    client = serializers.UUIDField(source="session.client_id")
    starts_at = serializers.SerializerMethodField(help_text="In the clinician's time zone.")
    alerts = BriefAlertSerializer(many=True)

    def get_starts_at(self, row) -> str:
        return row.local_start.isoformat()


class BriefSerializer(serializers.Serializer):
    clinician = serializers.UUIDField()
    date = serializers.DateField()
    timezone = serializers.CharField()
    sessions = BriefSessionSerializer(many=True)


class ClinicianBriefViewSet(PracticeScopedViewSet):
    """`clinicians/{id}/brief/`: what the clinician's brief holds for a day, for practices that
    show it in their own system."""

    model = Clinician
    lookup_value_regex = UUID_PATTERN
    extra_query_params = {"brief": ("date",)}

    def select_records(self):
        return Clinician.objects.all()

    @extend_schema(parameters=[BriefQuerySerializer], responses=BriefSerializer)
    @action(detail=True, methods=["get"])
    def brief(self, request, pk=None):
        """The clinician's sessions of that day whose clients have open alerts or prompts."""
        clinician = self.get_object()
        query = BriefQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        tz = zoneinfo.ZoneInfo(clinician.timezone)
        day = query.validated_data.get("date") or timezone.localdate(timezone=tz)
        sessions = selectors.brief_for_clinician(clinician=clinician, day=day)
        data = {"clinician": clinician.pk, "date": day, "timezone": tz.key, "sessions": sessions}
        return Response(BriefSerializer(data).data)
