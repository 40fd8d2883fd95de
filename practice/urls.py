from rest_framework.routers import SimpleRouter

from practice.api import ClientViewSet, ClinicianViewSet, DeletionViewSet, SessionViewSet
from practice.imports_api import BulkImportViewSet

router = SimpleRouter()
router.register("clinicians", ClinicianViewSet, basename="clinician")
router.register("clients", ClientViewSet, basename="client")
router.register("sessions", SessionViewSet, basename="session")
router.register("deletions", DeletionViewSet, basename="deletion")
router.register("imports", BulkImportViewSet, basename="import")

urlpatterns = router.urls
