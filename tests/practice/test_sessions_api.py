import pytest
import time_machine

from practice.models import Session
from tests.factories import make_clinician, make_session

pytestmark = pytest.mark.django_db


def _book(api, client, **fields):
    body = {"client": str(client.pk), "starts_at": "2026-05-04T15:00:00+02:00"} | fields
    return api.post("/api/v1/sessions/", body, format="json")


def test_a_session_is_booked_with_the_clients_clinician_by_default(api_a, client_a):
    response = _book(api_a, client_a, duration_minutes=45)

    assert response.status_code == 201
    body = response.json()
    assert body["clinician"] == str(client_a.clinician_id)
    assert body["starts_at"] == "2026-05-04T13:00:00Z"
    assert (body["duration_minutes"], body["status"], body["completed_at"]) == (
        45,
        "scheduled",
        None,
    )


def test_sessions_are_numbered_per_client(api_a, client_a, practice_a):
    first = _book(api_a, client_a).json()
    second = _book(api_a, client_a).json()
    other_clients_first = make_session(practice_a.practice)

    assert (first["sequence"], second["sequence"], other_clients_first.sequence) == (1, 2, 1)


def test_a_start_time_without_offset_is_a_field_error(api_a, client_a):
    response = _book(api_a, client_a, starts_at="2026-05-04T15:00:00")

    assert response.status_code == 400
    assert "offset" in response.json()["errors"]["starts_at"][0]


def test_completing_a_session_records_when(api_a, session_a):
    with time_machine.travel("2026-05-04T14:00:00Z", tick=False):
        response = api_a.post(f"/api/v1/sessions/{session_a.pk}/complete/")

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert response.json()["completed_at"] == "2026-05-04T14:00:00Z"


def test_completing_a_session_again_answers_200_and_changes_nothing(api_a, session_a):
    first = api_a.post(f"/api/v1/sessions/{session_a.pk}/complete/").json()

    second = api_a.post(f"/api/v1/sessions/{session_a.pk}/complete/")

    assert second.status_code == 200
    assert second.json() == first


@pytest.mark.parametrize(("action", "status"), [("cancel", "cancelled"), ("no-show", "no_show")])
def test_a_scheduled_session_can_be_cancelled_or_marked_no_show(api_a, session_a, action, status):
    response = api_a.post(f"/api/v1/sessions/{session_a.pk}/{action}/")

    assert response.status_code == 200
    assert response.json()["status"] == status


def test_a_cancelled_session_cannot_be_completed(api_a, session_a):
    api_a.post(f"/api/v1/sessions/{session_a.pk}/cancel/")

    response = api_a.post(f"/api/v1/sessions/{session_a.pk}/complete/")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "This session is cancelled; it cannot also be marked completed."
    )


def test_patch_moves_a_session_but_not_its_client_or_status(api_a, session_a, practice_a):
    other_clinician = make_clinician(practice_a.practice)

    response = api_a.patch(
        f"/api/v1/sessions/{session_a.pk}/",
        {
            "starts_at": "2026-06-01T09:30:00+00:00",
            "clinician": str(other_clinician.pk),
            "status": "completed",
            "client": "00000000-0000-0000-0000-000000000000",
        },
        format="json",
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["starts_at"], body["clinician"]) == (
        "2026-06-01T09:30:00Z",
        str(other_clinician.pk),
    )
    assert (body["status"], body["client"]) == ("scheduled", str(session_a.client_id))


def test_sessions_filter_by_status_and_start_window(api_a, practice_a, client_a):
    early = make_session(practice_a.practice, client=client_a, starts_at="2026-03-01T10:00:00Z")
    make_session(practice_a.practice, client=client_a, starts_at="2026-04-01T10:00:00Z")
    api_a.post(f"/api/v1/sessions/{early.pk}/complete/")

    in_march = api_a.get(
        "/api/v1/sessions/",
        {"starts_after": "2026-03-01T00:00:00Z", "starts_before": "2026-03-31T00:00:00Z"},
    ).json()["results"]
    completed = api_a.get("/api/v1/sessions/", {"status": "completed"}).json()["results"]

    assert [s["id"] for s in in_march] == [str(early.pk)]
    assert [s["id"] for s in completed] == [str(early.pk)]


def test_sessions_cannot_be_deleted_over_the_api(api_a, session_a):
    response = api_a.delete(f"/api/v1/sessions/{session_a.pk}/")

    assert response.status_code == 405
    assert Session.across_practices_unsafe.filter(pk=session_a.pk).exists()
