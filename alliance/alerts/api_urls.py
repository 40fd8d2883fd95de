from django.urls import path
from rest_framework.routers import SimpleRouter

from alliance.alerts.api import AlertRulesViewSet, AlertViewSet, ClinicianBriefViewSet

router = SimpleRouter()
router.register("alerts", AlertViewSet, basename="alert")
router.register("clinicians", ClinicianBriefViewSet, basename="clinician-brief")

alert_rules = AlertRulesViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update"}
)

alert_rules_preview = AlertRulesViewSet.as_view({"post": "preview"})

urlpatterns = [
    path("alert-rules/", alert_rules, name="alert-rules"),
    path("alert-rules/preview/", alert_rules_preview, name="alert-rules-preview"),
    *router.urls,
]
