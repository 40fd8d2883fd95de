"""The emails of alerts, rendered when the outbox delivers them."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from alliance.models import Alert
from notifications.models import OutboxMessage
from notifications.rendering import renders_email


def alert_url(alert: Alert) -> str:
    """The practice's own page for the alert where it has one, else the alert in this API."""
    template = alert.practice.alert_url_template
    if template:
        return template.replace("{alert_id}", str(alert.pk))
    return f"{settings.SITE_URL}/api/v1/alerts/{alert.pk}/"


def _alert_email(message: OutboxMessage, template: str) -> EmailMultiAlternatives | None:
    """Only that there is an alert, and a link to it: no name, no score."""
    alert = Alert.objects.select_related("practice").filter(pk=message.context["alert"]).first()
    if alert is None:
        return None
    context = {"alert_url": alert_url(alert), "severity": alert.severity}
    subject = render_to_string(f"alliance/email/{template}_subject.txt", context).strip()
    text = render_to_string(f"alliance/email/{template}.txt", context)
    return EmailMultiAlternatives(subject=subject, body=text, to=[message.recipient])


@renders_email(OutboxMessage.Kind.ALERT)
def alert_email(message: OutboxMessage) -> EmailMultiAlternatives | None:
    return _alert_email(message, "alert")


@renders_email(OutboxMessage.Kind.ALERT_ESCALATION)
def alert_escalation_email(message: OutboxMessage) -> EmailMultiAlternatives | None:
    alert = Alert.objects.filter(pk=message.context["alert"]).first()
    if alert is None or alert.status != Alert.Status.OPEN:
        return None  # someone acknowledged it meanwhile
    return _alert_email(message, "alert_escalation")
