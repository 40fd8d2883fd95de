"""Surveys delivered by the practice's own system: a `survey.ready` webhook with the link."""

import json

import pytest
from django.core import mail

from alliance.models import SurveyInvitation, SurveyLink
from alliance.surveys import tasks
from notifications.models import OutboxMessage
from practice.tokens import hash_token
from tests.factories import SEND_AT_ONCE, deliver_outbox, make_session, set_survey_policy
from tests.webhook_helpers import events_of_type, subscribe

pytestmark = pytest.mark.django_db

ALL_TENS = {"comfort": "10", "respect": "10", "heard": "10", "goals": "10", "progress": "10"}


@pytest.fixture
def by_webhook(api_a, practice_a, webhook_receiver):
    set_survey_policy(practice_a.practice, **SEND_AT_ONCE)
    api_a.patch("/api/v1/practice/", {"survey_channels": ["webhook"]}, format="json")
    return subscribe(api_a, webhook_receiver, ["survey.ready"])


def _complete_and_send(api, practice, client):
    session = make_session(practice, client=client)
    api.post(f"/api/v1/sessions/{session.pk}/complete/")
    # Commit hooks do not run inside a test's transaction: send what is due as beat would.
    tasks.send_due_invitations()
    deliver_outbox()
    return session


def test_the_webhook_carries_the_invitation_and_a_one_time_link_that_works(
    api_a, practice_a, client_a, by_webhook, webhook_receiver, client
):
    session = _complete_and_send(api_a, practice_a.practice, client_a)

    [ready] = events_of_type(by_webhook, webhook_receiver, "survey.ready")
    data = ready["data"]
    invitation = SurveyInvitation.across_practices_unsafe.get(session=session)
    assert data["invitation"] == str(invitation.pk)
    assert (data["client"], data["session"]) == (str(client_a.pk), str(session.pk))
    path = data["url"].removeprefix("http://127.0.0.1:8000")
    assert client.post(path, ALL_TENS).status_code == 200
    assert client.post(path, ALL_TENS).status_code == 410
    assert client_a.name not in json.dumps(ready) and client_a.email not in json.dumps(ready)


def test_no_email_goes_out_and_the_invitation_records_its_channel(
    api_a, practice_a, client_a, by_webhook
):
    session = _complete_and_send(api_a, practice_a.practice, client_a)

    invitation = api_a.get("/api/v1/survey-invitations/", {"session": session.pk}).json()
    assert [(i["status"], i["channel"]) for i in invitation["results"]] == [("sent", "webhook")]
    assert mail.outbox == []


def test_no_stored_row_keeps_the_link(api_a, practice_a, client_a, by_webhook, webhook_receiver):
    _complete_and_send(api_a, practice_a.practice, client_a)

    [ready] = events_of_type(by_webhook, webhook_receiver, "survey.ready")
    token = ready["data"]["url"].rstrip("/").rsplit("/", 1)[-1]
    stored = [m.context for m in OutboxMessage.across_practices_unsafe.all()]
    assert token not in json.dumps(stored)
    assert "/s/" not in json.dumps(stored)
    assert SurveyLink.across_practices_unsafe.filter(token_hash=hash_token(token)).exists()


def test_both_channels_send_an_email_and_a_webhook_for_one_invitation(
    api_a, practice_a, client_a, by_webhook, webhook_receiver
):
    api_a.patch("/api/v1/practice/", {"survey_channels": ["email", "webhook"]}, format="json")

    session = _complete_and_send(api_a, practice_a.practice, client_a)

    invitation = SurveyInvitation.across_practices_unsafe.get(session=session)
    assert invitation.channel == "email_and_webhook"
    assert len(mail.outbox) == 1
    assert len(events_of_type(by_webhook, webhook_receiver, "survey.ready")) == 1


def test_a_client_who_withdrew_consent_before_delivery_gets_no_link(
    api_a, practice_a, client_a, by_webhook, webhook_receiver
):
    session = make_session(practice_a.practice, client=client_a)
    api_a.post(f"/api/v1/sessions/{session.pk}/complete/")
    tasks.send_due_invitations()
    api_a.patch(f"/api/v1/clients/{client_a.pk}/", {"survey_consent": False}, format="json")
    deliver_outbox()

    assert events_of_type(by_webhook, webhook_receiver, "survey.ready") == []
    assert OutboxMessage.across_practices_unsafe.get(kind="webhook").status == "cancelled"


def test_webhook_only_without_an_endpoint_for_it_fails_the_invitation(api_a, practice_a, client_a):
    set_survey_policy(practice_a.practice, **SEND_AT_ONCE)
    api_a.patch("/api/v1/practice/", {"survey_channels": ["webhook"]}, format="json")

    session = _complete_and_send(api_a, practice_a.practice, client_a)

    invitation = SurveyInvitation.across_practices_unsafe.get(session=session)
    assert invitation.status == "failed"
    assert mail.outbox == []
