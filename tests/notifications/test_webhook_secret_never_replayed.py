"""A webhook endpoint's secret is shown once: a keyed repeat of its POST replays the answer
without it, and the idempotency record never holds it."""

import json

import pytest

from practice.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

ENDPOINT = {"url": "https://hooks.example.org/alliance", "events": ["survey.completed"]}


def _create(api):
    return api.post("/api/v1/webhooks/", ENDPOINT, format="json", HTTP_IDEMPOTENCY_KEY="hook-1")


def test_a_replayed_creation_does_not_show_the_secret_again(api_a):
    first = _create(api_a)

    repeat = _create(api_a)

    assert first.json()["secret"].startswith("whsec_")
    assert repeat.status_code == 201
    assert repeat["Idempotent-Replayed"] == "true"
    assert repeat.json()["id"] == first.json()["id"]
    assert "secret" not in repeat.json()


def test_the_idempotency_record_never_holds_the_secret(api_a):
    secret = _create(api_a).json()["secret"]

    stored = IdempotencyRecord.across_practices_unsafe.get(key="hook-1")

    assert secret not in json.dumps(stored.response_body)
