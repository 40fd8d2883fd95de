from django.urls import path
from rest_framework.routers import SimpleRouter

from practice.api import (
    ClientViewSet,
    ClinicianViewSet,
    DeletionViewSet,
    MemberViewSet,
    PracticeSettingsViewSet,
    SessionViewSet,
)
from practice.imports_api import BulkImportViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("clinicians", ClinicianViewSet, basename="clinician")
router.register("clients", ClientViewSet, basename="client")
router.register("sessions", SessionViewSet, basename="session")
router.register("deletions", DeletionViewSet, basename="deletion")
router.register("imports", BulkImportViewSet, basename="import")

practice_settings = PracticeSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"})

urlpatterns = [path("practice/", practice_settings, name="practice-settings"), *router.urls]
