from rest_framework.routers import SimpleRouter

from notifications.api import MessageViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("messages", MessageViewSet, basename="message")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

urlpatterns = router.urls
