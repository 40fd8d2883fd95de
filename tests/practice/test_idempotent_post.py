import pytest
import time_machine
from rest_framework.renderers import JSONRenderer

from practice.idempotency import request_fingerprint
from practice.models import Clinician, IdempotencyRecord
from practice.tasks import prune_idempotency_records

pytestmark = pytest.mark.django_db

NEW_CLINICIAN = {"name": "Dr. Once", "email": "once@example.org"}


def _post(api, body, key="key-1"):
    return api.post("/api/v1/clinicians/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_repeated_post_replays_the_first_response_and_creates_nothing(api_a):
    first = _post(api_a, NEW_CLINICIAN)

    repeat = _post(api_a, NEW_CLINICIAN)

    assert first.status_code == repeat.status_code == 201
    assert repeat.json() == first.json()
    assert repeat["Idempotent-Replayed"] == "true"
    assert Clinician.across_practices_unsafe.count() == 1


def test_a_different_body_under_the_same_key_is_422(api_a):
    _post(api_a, NEW_CLINICIAN)

    response = _post(api_a, NEW_CLINICIAN | {"name": "Dr. Twice"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert Clinician.across_practices_unsafe.count() == 1


def test_a_new_key_makes_a_new_request(api_a):
    _post(api_a, NEW_CLINICIAN, key="key-1")

    response = _post(api_a, NEW_CLINICIAN | {"email": "two@example.org"}, key="key-2")

    assert response.status_code == 201
    assert Clinician.across_practices_unsafe.count() == 2


def test_keys_belong_to_one_practice(api_a, api_b):
    from_a = _post(api_a, NEW_CLINICIAN)

    from_b = _post(api_b, NEW_CLINICIAN)

    assert from_b.status_code == 201
    assert from_b.json()["id"] != from_a.json()["id"]


def test_a_validation_error_is_replayed_too(api_a):
    first = _post(api_a, {"name": "No email"})

    repeat = _post(api_a, {"name": "No email"})

    assert first.status_code == repeat.status_code == 400
    assert repeat.json() == first.json()
    assert repeat["Content-Type"] == "application/problem+json"


def test_an_action_post_is_replayed(api_a, session_a):
    url = f"/api/v1/sessions/{session_a.pk}/complete/"
    first = api_a.post(url, HTTP_IDEMPOTENCY_KEY="complete-1")

    repeat = api_a.post(url, HTTP_IDEMPOTENCY_KEY="complete-1")

    assert repeat.json() == first.json()
    assert IdempotencyRecord.across_practices_unsafe.count() == 1


def test_an_overlong_key_is_a_field_error(api_a):
    response = _post(api_a, NEW_CLINICIAN, key="k" * 256)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert Clinician.across_practices_unsafe.count() == 0


def test_a_server_failure_releases_the_key_for_a_retry(api_a, monkeypatch):
    from practice import services

    def fail(**_):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "clinician_create", fail)
    api_a.raise_request_exception = False
    failed = _post(api_a, NEW_CLINICIAN)
    monkeypatch.undo()

    retried = _post(api_a, NEW_CLINICIAN)

    assert failed.status_code == 500
    assert retried.status_code == 201


def test_stored_responses_are_forgotten_after_a_day(api_a):
    with time_machine.travel("2026-05-04T10:00:00Z", tick=False):
        _post(api_a, NEW_CLINICIAN)
    with time_machine.travel("2026-05-05T09:59:00Z", tick=False):
        prune_idempotency_records()
        kept = IdempotencyRecord.across_practices_unsafe.count()
    with time_machine.travel("2026-05-05T10:01:00Z", tick=False):
        prune_idempotency_records()

    assert kept == 1
    assert IdempotencyRecord.across_practices_unsafe.count() == 0


def test_a_key_whose_request_died_is_free_again_after_two_minutes(api_a, practice_a):
    with time_machine.travel("2026-05-04T10:00:00Z", tick=False):
        body = JSONRenderer().render(NEW_CLINICIAN)
        IdempotencyRecord.across_practices_unsafe.create(
            practice=practice_a.practice,
            key="key-1",
            request_fingerprint=request_fingerprint("POST", "/api/v1/clinicians/", body),
        )
        in_flight = _post(api_a, NEW_CLINICIAN)
    with time_machine.travel("2026-05-04T10:02:01Z", tick=False):
        retried = _post(api_a, NEW_CLINICIAN)

    assert in_flight.status_code == 409
    assert retried.status_code == 201
