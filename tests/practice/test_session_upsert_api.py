"""Sessions put by the practice's own id: booked, recorded as history, or completed live."""

import pytest

from alliance.models import SurveyInvitation
from practice.models import Session
from tests.factories import make_client, make_session

pytestmark = pytest.mark.django_db

STARTS = "2026-05-04T15:00:00+02:00"


@pytest.fixture
def known_client(practice_a, clinician_a):
    return make_client(practice_a.practice, clinician=clinician_a, external_id="EHR-P1")


def _put(api, external_id, body):
    return api.put(f"/api/v1/sessions/external/{external_id}/", body, format="json")


def test_a_session_names_its_client_by_external_id_and_defaults_to_its_clinician(
    api_a, known_client
):
    response = _put(api_a, "EHR-S1", {"client_external_id": "EHR-P1", "starts_at": STARTS})

    assert response.status_code == 201
    body = response.json()
    assert (body["client"], body["clinician"]) == (
        str(known_client.pk),
        str(known_client.clinician_id),
    )
    assert (body["status"], body["external_id"], body["sequence"]) == ("scheduled", "EHR-S1", 1)


def test_a_session_that_arrives_completed_is_history_and_plans_no_survey(api_a, known_client):
    response = _put(
        api_a,
        "EHR-S1",
        {"client_external_id": "EHR-P1", "starts_at": STARTS, "status": "completed"},
    )

    assert response.status_code == 201
    assert response.json()["status"] == "completed"
    assert response.json()["completed_at"] == "2026-05-04T13:50:00Z"
    assert not SurveyInvitation.across_practices_unsafe.exists()


def test_a_known_scheduled_session_that_arrives_completed_plans_its_survey(api_a, known_client):
    _put(api_a, "EHR-S1", {"client_external_id": "EHR-P1", "starts_at": STARTS})

    response = _put(api_a, "EHR-S1", {"status": "completed"})

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert SurveyInvitation.across_practices_unsafe.count() == 1


def test_putting_the_same_session_twice_changes_nothing_the_second_time(api_a, known_client):
    body = {"client_external_id": "EHR-P1", "starts_at": STARTS, "duration_minutes": 45}
    first = _put(api_a, "EHR-S1", body)

    second = _put(api_a, "EHR-S1", body)

    assert second.status_code == 200
    assert {k: v for k, v in second.json().items() if k != "updated_at"} == {
        k: v for k, v in first.json().items() if k != "updated_at"
    }
    assert Session.across_practices_unsafe.count() == 1


def test_a_session_cannot_move_to_another_client(api_a, practice_a, known_client, clinician_a):
    make_client(practice_a.practice, clinician=clinician_a, external_id="EHR-P2")
    _put(api_a, "EHR-S1", {"client_external_id": "EHR-P1", "starts_at": STARTS})

    response = _put(api_a, "EHR-S1", {"client_external_id": "EHR-P2"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"client"}


def test_a_cancelled_session_cannot_arrive_completed(api_a, known_client):
    _put(api_a, "EHR-S1", {"client_external_id": "EHR-P1", "starts_at": STARTS})
    _put(api_a, "EHR-S1", {"status": "cancelled"})

    response = _put(api_a, "EHR-S1", {"status": "completed"})

    assert response.status_code == 409
    assert Session.across_practices_unsafe.get().status == "cancelled"


def test_a_completion_time_belongs_only_to_a_completed_session(api_a, known_client):
    response = _put(
        api_a,
        "EHR-S1",
        {
            "client_external_id": "EHR-P1",
            "starts_at": STARTS,
            "completed_at": "2026-05-04T16:00:00+02:00",
        },
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"completed_at"}


def test_client_and_client_external_id_must_name_the_same_client(api_a, practice_a, known_client):
    other = make_client(practice_a.practice)

    response = _put(
        api_a,
        "EHR-S1",
        {"client": str(other.pk), "client_external_id": "EHR-P1", "starts_at": STARTS},
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"client_external_id"}


def test_a_posted_session_may_carry_an_external_id_found_later_by_it(
    api_a, practice_a, known_client
):
    session = make_session(practice_a.practice, client=known_client, external_id="EHR-S1")

    response = api_a.get("/api/v1/sessions/external/EHR-S1/")

    assert response.json()["id"] == str(session.pk)
