"""An idempotent POST refused with a conflict answers the conflict, and replays it."""

import pytest

from tests.factories import make_session

pytestmark = pytest.mark.django_db


def test_a_session_posted_with_a_taken_external_id_answers_409_and_replays_it(
    api_a, practice_a, client_a
):
    make_session(practice_a.practice, client=client_a, external_id="S-1")
    body = {"client": str(client_a.pk), "starts_at": "2026-05-04T15:00:00+02:00"}
    body["external_id"] = "S-1"

    first = api_a.post("/api/v1/sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api_a.post("/api/v1/sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == 409
    assert (again.status_code, again.json()) == (409, first.json())
