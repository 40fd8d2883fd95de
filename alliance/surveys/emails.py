"""The emails of surveys, rendered when the outbox delivers them."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from alliance.models import SurveyInvitation
from alliance.surveys import selectors, services
from notifications.models import OutboxMessage
from notifications.rendering import FAILED_FOR_GOOD, RETRIED, on_delivery, renders_email
from practice.models import Client


def survey_url(token: str) -> str:
    return f"{settings.SITE_URL}/s/{token}/"


@renders_email(OutboxMessage.Kind.SURVEY_INVITATION)
@renders_email(OutboxMessage.Kind.SURVEY_REMINDER)
def survey_email(message: OutboxMessage) -> EmailMultiAlternatives | None:
    invitation = (
        SurveyInvitation.objects.select_related("client__clinician", "practice")
        .filter(pk=message.context["invitation"], status__in=SurveyInvitation.ANSWERABLE)
        .first()
    )
    if invitation is None:
        return None
    client = invitation.client
    if not client.survey_consent or client.status != Client.Status.ACTIVE:
        return None
    url = survey_url(services.survey_link_issue(invitation=invitation))
    stop_url = f"{url}stop/"
    language = selectors.survey_language(client)
    with translation.override(language):
        context = {
            "practice_name": invitation.practice.name,
            "clinician_first_name": client.clinician.first_name,
            "survey_url": url,
            "stop_url": stop_url,
            "reminder": message.kind == OutboxMessage.Kind.SURVEY_REMINDER,
            "language": language,
        }
        subject = render_to_string("alliance/email/survey_subject.txt", context).strip()
        text = render_to_string("alliance/email/survey.txt", context)
        html = render_to_string("alliance/email/survey.html", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[client.email],
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(html, "text/html")
    return email


@on_delivery(FAILED_FOR_GOOD, OutboxMessage.Kind.SURVEY_INVITATION)
@on_delivery(FAILED_FOR_GOOD, OutboxMessage.Kind.SURVEY_REMINDER)
def survey_email_failed(message: OutboxMessage) -> None:
    services.invitation_fail_delivery(invitation_id=message.context["invitation"])


@on_delivery(RETRIED, OutboxMessage.Kind.SURVEY_INVITATION)
@on_delivery(RETRIED, OutboxMessage.Kind.SURVEY_REMINDER)
def survey_email_retried(message: OutboxMessage) -> None:
    services.invitation_reopen_delivery(invitation_id=message.context["invitation"])
