"""What a practice's system does with webhooks: subscribe over the API, verify what arrives."""

import json

import standardwebhooks

from tests.services import WebhookReceiver


def subscribe(api, receiver: WebhookReceiver, events: list[str]) -> str:
    """Subscribe the receiver to `events`; returns the endpoint's signing secret."""
    response = api.post("/api/v1/webhooks/", {"url": receiver.url, "events": events}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["secret"]


def events_of_type(secret: str, receiver: WebhookReceiver, event_type: str) -> list[dict]:
    """The events of one type the receiver got, each verified as the Standard Webhooks
    specification says (at the time of the call: its timestamps must be recent)."""
    verifier = standardwebhooks.Webhook(secret)
    return [
        verifier.verify(request["body"], {k.lower(): v for k, v in request["headers"].items()})
        for request in receiver.requests
        if json.loads(request["body"])["type"] == event_type
    ]
