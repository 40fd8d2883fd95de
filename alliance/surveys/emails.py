"""The emails of surveys, rendered when the outbox delivers them."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from alliance.models import SurveyInvitation, SurveyLink
from alliance.surveys import selectors
from notifications.models import OutboxMessage
from notifications.rendering import renders_email
from practice.models import Client
from practice.tokens import hash_token, new_token


def survey_url(token: str) -> str:
    return f"{settings.SITE_URL}/s/{token}/"


def _new_link(invitation: SurveyInvitation) -> str:
    """A link of its own for each email; only the hash of its token is kept."""
    token = new_token()
    SurveyLink.objects.create(
        practice=invitation.practice, invitation=invitation, token_hash=hash_token(token)
    )
    return token


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
    url = survey_url(_new_link(invitation))
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
