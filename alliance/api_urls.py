from django.urls import path
from rest_framework.routers import SimpleRouter

from alliance.api import (
    AlertRulesViewSet,
    AlertViewSet,
    AllianceSummaryViewSet,
    ClientAllianceViewSet,
    InstrumentViewSet,
    InvitationViewSet,
    ResponseViewSet,
    SurveyPolicyViewSet,
)

router = SimpleRouter()
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("survey-invitations", InvitationViewSet, basename="survey-invitation")
router.register("responses", ResponseViewSet, basename="response")
router.register("clients", ClientAllianceViewSet, basename="client-alliance")
router.register("alliance-summary", AllianceSummaryViewSet, basename="alliance-summary")
router.register("alerts", AlertViewSet, basename="alert")

survey_policy = SurveyPolicyViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update"}
)

alert_rules = AlertRulesViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update"}
)

urlpatterns = [
    path("survey-policy/", survey_policy, name="survey-policy"),
    path("alert-rules/", alert_rules, name="alert-rules"),
    *router.urls,
]
