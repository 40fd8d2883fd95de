"""The webhook events in the OpenAPI document's `webhooks` section: each event's payload.

Every event is `{"type", "timestamp", "data"}`, signed as the Standard Webhooks specification
says (`webhook-id`, `webhook-timestamp`, `webhook-signature`), and its data carry ids and
states only, never names, addresses or scores. `survey.ready` is the one event that carries a
secret: the survey's one-time link, made when the event is delivered and kept nowhere.
"""

import re

from drf_spectacular.utils import OpenApiWebhook, extend_schema
from rest_framework import serializers

from notifications.models import WebhookEndpoint

Event = WebhookEndpoint.Event


def _id(help_text: str, **kwargs) -> serializers.UUIDField:
    return serializers.UUIDField(help_text=help_text, **kwargs)


def _session() -> serializers.UUIDField:
    return _id("The session; null for a survey of the time-based cadence.", allow_null=True)


class SurveyReadyData(serializers.Serializer):
    invitation = _id("The invitation.")
    client = _id("The client to send the link to, by the practice's own channel.")
    session = _session()
    url = serializers.URLField(help_text="The one-time survey link; one per delivery attempt.")
    expires_at = serializers.DateTimeField(help_text="When the survey can no longer be answered.")
    reminder = serializers.BooleanField(help_text="True for the reminder of an unanswered survey.")
    language = serializers.CharField(help_text="The language the survey page speaks (`en`, `es`).")


class SurveyStateData(serializers.Serializer):
    invitation = _id("The invitation.")
    client = _id("The client.")
    session = _session()
    status = serializers.CharField(help_text="The invitation's status: `sent` or `expired`.")
    channel = serializers.ChoiceField(
        choices=["email", "webhook", "email_and_webhook", "in_session"],
        help_text="How the survey reached the client.",
    )


class SurveyCompletedData(serializers.Serializer):
    response = _id("The client's answers (`GET /api/v1/responses/{id}/`).")
    invitation = _id("The invitation.")
    client = _id("The client.")
    session = _session()
    instrument = serializers.CharField(help_text="The instrument's code.")
    version = serializers.IntegerField(help_text="The instrument's version.")


class ClientOptedOutData(serializers.Serializer):
    client = _id("The client who stopped surveys from the link in a survey email.")
    survey_consent = serializers.BooleanField(help_text="Always false.")
    opted_out_at = serializers.DateTimeField()


class MessageFailedData(serializers.Serializer):
    message = _id("The email (`GET /api/v1/messages/{id}/`).")
    kind = serializers.CharField(help_text="`survey_invitation`, `survey_reminder`, `alert`, …")
    status = serializers.CharField(help_text="Always `failed`.")
    reason = serializers.ChoiceField(
        choices=["bounced", "complained", "rejected", "suppressed", "undeliverable"],
        help_text="Bounced or complained about (the provider said so), rejected (the mail "
        "server refused it for good), suppressed (the address had failed before), "
        "undeliverable (every attempt failed).",
    )
    client = _id("The client it was for, if any.", allow_null=True)
    invitation = _id("The survey it carried, now `failed`, if any.", required=False)
    alert = _id("The alert it told of, if any.", required=False)


class AlertData(serializers.Serializer):
    id = _id("The alert.")
    kind = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()
    client = _id("The client.")
    clinician = _id("The clinician.")
    session = _id("The session of the answer that raised it, if any.", allow_null=True)
    created_at = serializers.DateTimeField()


class ImportCompletedData(serializers.Serializer):
    id = _id("The import (`GET /api/v1/imports/{id}/`).")
    status = serializers.ChoiceField(choices=["completed", "failed"])
    dry_run = serializers.BooleanField()
    rows_total = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="`created`, `updated`, `failed`, `skipped`."
    )
    finished_at = serializers.DateTimeField()


def _event(event: str, data: type[serializers.Serializer], description: str) -> OpenApiWebhook:
    # By its plain value: the schema's YAML rendering cannot write an enum member.
    event = Event(event).value
    envelope = type(
        "".join(word.title() for word in re.split(r"[._]", event)) + "Event",
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=[event]),
            "timestamp": serializers.DateTimeField(),
            "data": data(),
        },
    )
    return OpenApiWebhook(
        name=event,
        decorator=extend_schema(
            summary=event,
            description=description,
            request=envelope,
            responses={200: None},
        ),
    )


WEBHOOKS = [
    _event(
        Event.SURVEY_READY,
        SurveyReadyData,
        "A survey link for the practice to deliver by its own channel (SMS, portal), when "
        "the practice's `survey_channels` include `webhook`; again for the reminder.",
    ),
    _event(Event.SURVEY_SENT, SurveyStateData, "A survey went out, or was opened in the session."),
    _event(Event.SURVEY_COMPLETED, SurveyCompletedData, "The client answered a survey."),
    _event(
        Event.SURVEY_EXPIRED,
        SurveyStateData,
        "A survey was not answered in time; it counts toward the non-response rule.",
    ),
    _event(
        Event.CLIENT_OPTED_OUT,
        ClientOptedOutData,
        "The client stopped surveys themselves; `survey_consent: true` from the practice's "
        "system answers 409 until the client starts them again.",
    ),
    _event(
        Event.MESSAGE_FAILED,
        MessageFailedData,
        "An email failed for good. A survey it carried is `failed`, never a non-response.",
    ),
    _event(Event.ALERT_CREATED, AlertData, "An alert or prompt was raised."),
    _event(Event.ALERT_UPDATED, AlertData, "An alert changed: new evidence, severity or status."),
    _event(
        Event.IMPORT_COMPLETED,
        ImportCompletedData,
        "A bulk import has finished: sent once per import, dry runs included, when its last "
        "chunk is done.",
    ),
]
