from rest_framework.routers import SimpleRouter

from practice.api import ClientViewSet, ClinicianViewSet, DeletionViewSet, SessionViewSet

router = SimpleRouter()
router.register("clinicians", ClinicianViewSet, basename="clinician")
router.register("clients", ClientViewSet, basename="client")
router.register("sessions", SessionViewSet, basename="session")
router.register("deletions", DeletionViewSet, basename="deletion")

urlpatterns = router.urls
