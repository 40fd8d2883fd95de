"""Where email providers post what became of each message: `/email-events/<provider>/tracking/`
(django-anymail's tracking webhooks, one per provider, each checking that provider's signature
and the shared basic-auth secret `ANYMAIL_WEBHOOK_SECRET`)."""

from anymail import urls as anymail_urls
from django.urls import path

from notifications.email_events import only_with_a_webhook_secret

urlpatterns = [
    path(str(pattern.pattern), only_with_a_webhook_secret(pattern.callback), name=pattern.name)
    for pattern in anymail_urls.urlpatterns
    if str(pattern.pattern).endswith("/tracking/")
]
