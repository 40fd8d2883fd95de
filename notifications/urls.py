from rest_framework.routers import SimpleRouter

from notifications.api import MessageViewSet, SuppressedAddressViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("messages", MessageViewSet, basename="message")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("suppressions", SuppressedAddressViewSet, basename="suppression")

urlpatterns = router.urls
