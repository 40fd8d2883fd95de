"""Prompts travel as `alert.*` webhooks: when they are raised and when the next session closes
them; never by email."""

import json

import pytest
from django.core import mail

from tests.factories import deliver_outbox, make_response, make_session
from tests.services import WebhookReceiver

pytestmark = pytest.mark.django_db

LOW = {"comfort": 8, "respect": 9, "heard": 7, "goals": 8, "progress": 6}


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


def _json(request: dict) -> dict:
    return json.loads(request["body"])


def test_a_prompt_is_sent_as_webhooks_when_raised_and_when_the_next_session_closes_it(
    api_a, practice_a, client_a, receiver
):
    api_a.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["alert.created", "alert.updated"]},
        format="json",
    )
    make_response(practice_a.practice, client_a, answers=LOW)
    session = make_session(practice_a.practice, client=client_a)
    mail.outbox.clear()

    api_a.post(f"/api/v1/sessions/{session.pk}/complete/")
    deliver_outbox()

    events = [(event["type"], event["data"]) for event in map(_json, receiver.requests)]
    assert [(kind, data["severity"], data["status"]) for kind, data in events] == [
        ("alert.created", "prompt", "open"),
        ("alert.updated", "prompt", "resolved"),
    ]
    assert not [m for m in mail.outbox if m.to == [client_a.clinician.email]]
