"""The emails of alerts and of the clinicians' daily brief, rendered when the outbox delivers
them."""

from collections import Counter

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from alliance.alerts.selectors import brief_for_clinician
from alliance.models import Alert, ClinicianBrief
from notifications.models import OutboxMessage
from notifications.rendering import renders_email


def alert_url(alert: Alert) -> str:
    """The practice's own page for the alert where it has one, else the alert's page here (a
    member who is signed out signs in and lands on it)."""
    template = alert.practice.alert_url_template
    if template:
        return template.replace("{alert_id}", str(alert.pk))
    return f"{settings.SITE_URL}/app/alerts/{alert.pk}/"


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


@renders_email(OutboxMessage.Kind.BRIEF)
def brief_email(message: OutboxMessage) -> EmailMultiAlternatives | None:
    """How many of today's sessions have something to discuss, and a link to *Today*: no
    names, no scores. Nothing when, by now, none has."""
    brief = (
        ClinicianBrief.objects.select_related("clinician")
        .filter(pk=message.context["brief"])
        .first()
    )
    if brief is None:
        return None
    sessions = brief_for_clinician(clinician=brief.clinician, day=brief.day)
    if not sessions:
        return None
    severities = Counter(alert.severity for row in sessions for alert in row.alerts)
    context = {
        "count": len(sessions),
        "day": brief.day,
        "alerts": severities["red"] + severities["amber"],
        "prompts": severities["prompt"],
        "today_url": f"{settings.SITE_URL}/app/",
    }
    subject = render_to_string("alliance/email/brief_subject.txt", context).strip()
    text = render_to_string("alliance/email/brief.txt", context)
    return EmailMultiAlternatives(subject=subject, body=text, to=[message.recipient])
