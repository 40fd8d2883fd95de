from django.urls import path
from rest_framework.routers import SimpleRouter

from alliance.surveys.api import (
    AllianceSummaryViewSet,
    ClientAllianceViewSet,
    InstrumentViewSet,
    InvitationViewSet,
    ResponseViewSet,
    SessionSurveyLinkViewSet,
    SurveyPolicyViewSet,
)

router = SimpleRouter()
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("survey-invitations", InvitationViewSet, basename="survey-invitation")
router.register("responses", ResponseViewSet, basename="response")
router.register("clients", ClientAllianceViewSet, basename="client-alliance")
router.register("sessions", SessionSurveyLinkViewSet, basename="session-survey-link")
router.register("alliance-summary", AllianceSummaryViewSet, basename="alliance-summary")

survey_policy = SurveyPolicyViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update"}
)

urlpatterns = [
    path("survey-policy/", survey_policy, name="survey-policy"),
    *router.urls,
]
