"""What a webhook endpoint may be, declared once: the services check it for the API and admin
alike, and the API's fields are made from it."""

from notifications.models import WebhookEndpoint
from practice.bounds import Bound

# Deliveries are HTTP POSTs: any other scheme could never be delivered.
URL_SCHEMES = ("http", "https")
URL_MAX_LENGTH = 500
EVENT = Bound(str, choices=tuple(WebhookEndpoint.Event.choices))
