"""Webhooks to a real HTTP receiver, verified with the independent `standardwebhooks` package."""

import json

import pytest
import standardwebhooks
import time_machine

from notifications.models import OutboxMessage, WebhookEndpoint
from tests.factories import deliver_outbox, make_response
from tests.services import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


def _subscribe(api, url, events=("survey.completed", "alert.created", "alert.updated")):
    response = api.post("/api/v1/webhooks/", {"url": url, "events": list(events)}, format="json")
    assert response.status_code == 201
    return response.json()


def _verify(secret: str, request: dict) -> dict:
    headers = {k.lower(): v for k, v in request["headers"].items()}
    return standardwebhooks.Webhook(secret).verify(request["body"], headers)


def test_the_secret_is_shown_only_when_the_endpoint_is_made(api_a, receiver):
    created = _subscribe(api_a, receiver.url)

    shown_later = api_a.get(f"/api/v1/webhooks/{created['id']}/").json()

    assert created["secret"].startswith("whsec_")
    assert "secret" not in shown_later


def test_events_are_signed_per_the_standard_and_carry_ids_only(
    api_a, practice_a, client_a, receiver
):
    secret = _subscribe(api_a, receiver.url)["secret"]

    response = make_response(practice_a.practice, client_a, discuss_request=True)
    deliver_outbox()

    payloads = [_verify(secret, request) for request in receiver.requests]
    assert [p["type"] for p in payloads] == ["survey.completed", "alert.created"]
    completed, alert = payloads
    assert completed["data"]["response"] == str(response.pk)
    assert alert["data"]["kind"] == "discuss_request"
    assert alert["data"]["client"] == str(client_a.pk)
    flat = json.dumps(payloads)
    assert client_a.name not in flat
    assert client_a.email not in flat
    assert "total" not in flat


def test_a_forged_signature_does_not_verify(api_a, practice_a, client_a, receiver):
    _subscribe(api_a, receiver.url)
    make_response(practice_a.practice, client_a)
    deliver_outbox()

    other_secret = standardwebhooks.Webhook("whsec_" + "A" * 43 + "=")
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        headers = {k.lower(): v for k, v in receiver.requests[0]["headers"].items()}
        other_secret.verify(receiver.requests[0]["body"], headers)


def test_a_receiver_answering_500_gets_the_event_again_later(api_a, practice_a, client_a, receiver):
    secret = _subscribe(api_a, receiver.url, events=["survey.completed"])["secret"]
    receiver.replies = [500]

    make_response(practice_a.practice, client_a)
    deliver_outbox()
    message = OutboxMessage.across_practices_unsafe.get(kind="webhook")
    with time_machine.travel(message.next_attempt_at):
        deliver_outbox()

    assert len(receiver.requests) == 2
    first, second = (_verify(secret, r) for r in receiver.requests)
    assert first == second
    ids = {{k.lower(): v for k, v in r["headers"].items()}["webhook-id"] for r in receiver.requests}
    assert len(ids) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_a_receiver_answering_410_disables_its_endpoint(api_a, practice_a, client_a, receiver):
    endpoint = _subscribe(api_a, receiver.url, events=["survey.completed"])
    receiver.replies = [410]

    make_response(practice_a.practice, client_a)
    deliver_outbox()
    make_response(practice_a.practice, client_a)
    deliver_outbox()

    shown = api_a.get(f"/api/v1/webhooks/{endpoint['id']}/").json()
    assert shown["active"] is False
    assert "410" in shown["disabled_reason"]
    assert len(receiver.requests) == 1


def test_a_rotated_secret_and_the_previous_one_both_sign_during_the_overlap(
    api_a, practice_a, client_a, receiver
):
    endpoint = _subscribe(api_a, receiver.url, events=["survey.completed"])
    rotated = api_a.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret/").json()

    make_response(practice_a.practice, client_a)
    deliver_outbox()

    assert rotated["secret"] != endpoint["secret"]
    _verify(endpoint["secret"], receiver.requests[0])
    _verify(rotated["secret"], receiver.requests[0])


def test_deliveries_of_an_endpoint_are_listed_with_their_attempts(
    api_a, practice_a, client_a, receiver
):
    endpoint = _subscribe(api_a, receiver.url, events=["survey.completed"])
    make_response(practice_a.practice, client_a)
    deliver_outbox()

    deliveries = api_a.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").json()["results"]

    assert [(d["kind"], d["status"], d["attempts"]) for d in deliveries] == [("webhook", "sent", 1)]


def test_receivers_in_private_networks_are_refused_unless_allowed(
    api_a, practice_a, client_a, receiver, settings
):
    _subscribe(api_a, receiver.url, events=["survey.completed"])
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    make_response(practice_a.practice, client_a)
    deliver_outbox()

    message = OutboxMessage.across_practices_unsafe.get(kind="webhook")
    assert message.status == "failed"
    assert "private address" in message.last_error
    assert receiver.requests == []


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.org/x", "events": ["alert.created"]},
        {"url": "https://example.org/x", "events": []},
        {"url": "https://example.org/x", "events": ["alert.deleted"]},
    ],
)
def test_an_invalid_endpoint_is_a_field_error(api_a, body):
    response = api_a.post("/api/v1/webhooks/", body, format="json")

    assert response.status_code == 400
    assert not WebhookEndpoint.across_practices_unsafe.exists()


def test_a_redirect_from_the_receiver_is_a_failure_and_never_followed(
    api_a, practice_a, client_a, receiver
):
    _subscribe(api_a, receiver.url, events=["survey.completed"])
    receiver.replies = [302]

    make_response(practice_a.practice, client_a)
    deliver_outbox()

    message = OutboxMessage.across_practices_unsafe.get(kind="webhook")
    assert (message.status, message.last_error) == ("pending", "Exception: HTTP 302")
    assert len(receiver.requests) == 1
