from rest_framework.routers import SimpleRouter

from practice.api import ClientViewSet, ClinicianViewSet, SessionViewSet

router = SimpleRouter()
router.register("clinicians", ClinicianViewSet, basename="clinician")
router.register("clients", ClientViewSet, basename="client")
router.register("sessions", SessionViewSet, basename="session")

urlpatterns = router.urls
