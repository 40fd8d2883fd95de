"""A webhook is sent to the address that was checked, found within a deadline, and a refusal
tells the practice only "refused: private address"."""

import socket
import threading

import pytest

from notifications.models import OutboxMessage
from tests.factories import deliver_outbox, make_response
from tests.services import WebhookReceiver

pytestmark = pytest.mark.django_db

PUBLIC_ADDRESS = "93.184.215.14"


@pytest.fixture
def receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


def _subscribe(api, url):
    response = api.post(
        "/api/v1/webhooks/", {"url": url, "events": ["survey.completed"]}, format="json"
    )
    assert response.status_code == 201
    return response.json()


def _a_name_for(receiver) -> str:
    return receiver.url.replace("127.0.0.1", "hooks.example.org")


def test_a_name_that_turns_private_after_the_check_is_never_reached(
    api_a, practice_a, client_a, receiver, settings, monkeypatch
):
    """DNS rebinding: the first answer is public, every later one the receiver's loopback."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    answers, connections = [], []
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "hooks.example.org":
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = PUBLIC_ADDRESS if not answers else "127.0.0.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 80))]

    def no_internet(address, *args, **kwargs):
        connections.append(address[0])
        raise ConnectionRefusedError("the tests reach no public address")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    _subscribe(api_a, _a_name_for(receiver))
    monkeypatch.setattr(socket, "create_connection", no_internet)

    make_response(practice_a.practice, client_a)
    deliver_outbox()

    assert receiver.requests == []
    assert answers == [PUBLIC_ADDRESS]
    assert connections == [PUBLIC_ADDRESS]


def test_a_name_that_does_not_resolve_in_time_is_retried_later(
    api_a, practice_a, client_a, settings, monkeypatch
):
    settings.WEBHOOK_RESOLVE_TIMEOUT = 0.2
    hung = threading.Event()
    real_getaddrinfo = socket.getaddrinfo

    def hanging(host, *args, **kwargs):
        if host == "slow.example.org":
            hung.wait(10)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    _subscribe(api_a, "https://slow.example.org/hooks")

    make_response(practice_a.practice, client_a)
    deliver_outbox()
    hung.set()

    message = OutboxMessage.across_practices_unsafe.get(kind="webhook")
    assert message.status == "pending"
    assert "timed out" in message.last_error


def test_a_refused_receiver_is_described_without_any_address(
    api_a, practice_a, client_a, receiver, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    endpoint = _subscribe(api_a, receiver.url)

    make_response(practice_a.practice, client_a)
    deliver_outbox()

    deliveries = api_a.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").json()["results"]
    message = OutboxMessage.across_practices_unsafe.get(kind="webhook")
    assert message.last_error.endswith("refused: private address")
    assert "127.0.0.1" not in message.last_error
    assert "127.0.0.1" not in str(deliveries)
