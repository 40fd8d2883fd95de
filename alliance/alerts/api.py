"""REST API for alerts and alert rules."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from alliance.alerts import selectors, services
from alliance.models import Alert
from practice.api_base import PracticeScopedViewSet, ReadOnlyRecordViewSet


class AlertSerializer(serializers.ModelSerializer):
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
            "created_at",
            "updated_at",
            "escalated_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_note",
            "resolved_at",
            "resolved_by",
            "resolved_note",
        ]


class AlertActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    by = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text="Who is acting; defaults to the API key's name.",
    )


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
        by = action_input.validated_data["by"] or f"API key {request.auth.name}"
        alert = service(alert=self.get_object(), by=by, note=action_input.validated_data["note"])
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


def _rule_serializer(name: str, **fields) -> type[serializers.Serializer]:
    base = {
        "enabled": serializers.BooleanField(required=False),
        "severity": serializers.ChoiceField(choices=Alert.Severity.choices, required=False),
    }
    return type(name, (serializers.Serializer,), base | fields)


class AlertRulesSerializer(serializers.Serializer):
    low_score = _rule_serializer(
        "LowScoreRuleSerializer",
        red_after_consecutive=serializers.IntegerField(min_value=1, max_value=20, required=False),
    )(required=False)
    drop = _rule_serializer(
        "DropRuleSerializer",
        share_of_range=serializers.FloatField(min_value=0.01, max_value=1, required=False),
        red_multiple=serializers.FloatField(min_value=1, max_value=10, required=False),
        baseline_answers=serializers.IntegerField(min_value=1, max_value=10, required=False),
    )(required=False)
    no_progress = _rule_serializer(
        "NoProgressRuleSerializer",
        window_days=serializers.IntegerField(min_value=30, max_value=730, required=False),
        min_answers=serializers.IntegerField(min_value=2, max_value=50, required=False),
        min_span_days=serializers.IntegerField(min_value=0, max_value=730, required=False),
        below_share_of_range=serializers.FloatField(min_value=0.01, max_value=1, required=False),
    )(required=False)
    discuss_request = _rule_serializer("DiscussRequestRuleSerializer")(required=False)
    non_response = _rule_serializer(
        "NonResponseRuleSerializer",
        consecutive_expired=serializers.IntegerField(min_value=1, max_value=20, required=False),
    )(required=False)
    escalation = serializers.DictField(required=False, child=serializers.IntegerField(min_value=1))

    def validate_escalation(self, value):
        if set(value) - {"red_unacknowledged_hours"}:
            raise serializers.ValidationError("Only red_unacknowledged_hours can be set.")
        return value


class AlertRulesViewSet(PracticeScopedViewSet):
    """Every threshold, window and severity of the alert rules, per practice."""

    serializer_class = AlertRulesSerializer

    def retrieve(self, request):
        return Response(selectors.alert_rules())

    def update(self, request):
        rules = AlertRulesSerializer(data=request.data)
        rules.is_valid(raise_exception=True)
        return Response(services.alert_rules_update(settings=rules.validated_data))

    partial_update = update
