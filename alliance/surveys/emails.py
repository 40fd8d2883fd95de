"""The messages of surveys (emails and `survey.ready` webhooks), rendered when the outbox
delivers them: each makes the link it carries then, so that no queued row ever holds one."""

import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from alliance.models import SurveyInvitation, SurveyPolicy
from alliance.surveys import selectors, services
from notifications.models import OutboxMessage, WebhookEndpoint
from notifications.rendering import (
    FAILED_FOR_GOOD,
    RETRIED,
    on_delivery,
    renders_emails,
    renders_webhook,
)
from practice.models import Client

Channel = SurveyInvitation.Channel


def survey_url(token: str) -> str:
    return f"{settings.SITE_URL}/s/{token}/"


def _answerable_invitations(invitation_ids) -> dict:
    """The invitations messages carry, by id, while their clients may still be asked to answer
    them."""
    invitations = SurveyInvitation.objects.select_related("client__clinician", "practice").filter(
        pk__in=invitation_ids, status__in=SurveyInvitation.ANSWERABLE
    )
    return {
        invitation.pk: invitation
        for invitation in invitations
        if invitation.client.survey_consent and invitation.client.status == Client.Status.ACTIVE
    }


def _answerable_invitation(invitation_id) -> SurveyInvitation | None:
    return _answerable_invitations([invitation_id]).get(uuid.UUID(str(invitation_id)))


@renders_webhook(WebhookEndpoint.Event.SURVEY_READY)
def survey_ready_data(context: dict) -> dict | None:
    """For a practice that delivers surveys itself (its SMS, its portal): the one-time link,
    with ids only, so its system can look up whom to send it to."""
    invitation = _answerable_invitation(context["invitation"])
    if invitation is None:
        return None
    token = services.survey_link_issue(invitation=invitation, channel=Channel.WEBHOOK)
    return {
        "invitation": str(invitation.pk),
        "client": str(invitation.client_id),
        "session": str(invitation.session_id) if invitation.session_id else None,
        "url": survey_url(token),
        "expires_at": invitation.expires_at.isoformat(),
        "reminder": bool(context.get("reminder")),
        "language": selectors.survey_language(invitation.client),
    }


@renders_emails(OutboxMessage.Kind.SURVEY_INVITATION)
@renders_emails(OutboxMessage.Kind.SURVEY_REMINDER)
def survey_emails(messages: list[OutboxMessage]) -> dict:
    """The survey emails of a delivery batch, each with a new link: the invitations, the
    practice's policy and the links are read and written once for all of them."""
    invitations = _answerable_invitations([m.context["invitation"] for m in messages])
    tokens = services.survey_links_issue(
        invitations=list(invitations.values()), channel=Channel.EMAIL
    )
    policy = selectors.survey_policy()
    emails = {}
    for message in messages:
        invitation = invitations.get(uuid.UUID(str(message.context["invitation"])))
        if invitation is None:
            emails[message.pk] = None  # no longer wanted
        else:
            emails[message.pk] = _survey_email(message, invitation, tokens[invitation.pk], policy)
    return emails


def _survey_email(
    message: OutboxMessage, invitation: SurveyInvitation, token: str, policy: SurveyPolicy
) -> EmailMultiAlternatives:
    client = invitation.client
    url = survey_url(token)
    stop_url = f"{url}stop/"
    language = selectors.survey_language(client, policy)
    with translation.override(language):
        context = {
            "practice_name": invitation.practice.name,
            "clinician_first_name": client.clinician.first_name,
            "survey_url": url,
            "stop_url": stop_url,
            "reminder": message.kind == OutboxMessage.Kind.SURVEY_REMINDER,
            # A survey of the time-based cadence asks about the therapy, not one session.
            "about_a_session": invitation.session_id is not None,
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
    services.invitation_fail_delivery(
        invitation_id=message.context["invitation"], channel=Channel.EMAIL
    )


@on_delivery(RETRIED, OutboxMessage.Kind.SURVEY_INVITATION)
@on_delivery(RETRIED, OutboxMessage.Kind.SURVEY_REMINDER)
def survey_email_retried(message: OutboxMessage) -> None:
    services.invitation_reopen_delivery(
        invitation_id=message.context["invitation"], channel=Channel.EMAIL
    )


def _survey_ready_invitation(message: OutboxMessage) -> str | None:
    if message.context.get("event") != WebhookEndpoint.Event.SURVEY_READY:
        return None
    return message.context["render"]["invitation"]


@on_delivery(FAILED_FOR_GOOD, OutboxMessage.Kind.WEBHOOK)
def survey_ready_failed(message: OutboxMessage) -> None:
    invitation_id = _survey_ready_invitation(message)
    if invitation_id is not None:
        services.invitation_fail_delivery(invitation_id=invitation_id, channel=Channel.WEBHOOK)


@on_delivery(RETRIED, OutboxMessage.Kind.WEBHOOK)
def survey_ready_retried(message: OutboxMessage) -> None:
    invitation_id = _survey_ready_invitation(message)
    if invitation_id is not None:
        services.invitation_reopen_delivery(invitation_id=invitation_id, channel=Channel.WEBHOOK)
