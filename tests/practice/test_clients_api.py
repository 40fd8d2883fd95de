import pytest

from practice.models import Client, Session
from tests.factories import make_client, make_clinician, make_session

pytestmark = pytest.mark.django_db


def _new_client(api, clinician, **fields):
    body = {"name": "Sam", "email": "sam@example.org", "clinician": str(clinician.pk)} | fields
    return api.post("/api/v1/clients/", body, format="json")


def test_a_new_client_gets_the_practices_timezone_english_and_no_survey_consent(api_a, clinician_a):
    response = _new_client(api_a, clinician_a)

    assert response.status_code == 201
    body = response.json()
    assert body["timezone"] == "Europe/Madrid"
    assert body["language"] == "en"
    assert body["status"] == "active"
    assert body["survey_consent"] is False
    assert body["clinician"] == str(clinician_a.pk)


def test_a_client_can_be_given_a_timezone_language_and_consent(api_a, clinician_a):
    response = _new_client(
        api_a, clinician_a, timezone="America/Bogota", language="es", survey_consent=True
    )

    body = response.json()
    assert (body["timezone"], body["language"], body["survey_consent"]) == (
        "America/Bogota",
        "es",
        True,
    )


def test_an_unknown_timezone_or_language_is_a_field_error(api_a, clinician_a):
    response = _new_client(api_a, clinician_a, timezone="Mars/Olympus", language="tlh")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"timezone", "language"}


def test_a_client_cannot_be_assigned_to_an_inactive_clinician(api_a, practice_a):
    inactive = make_clinician(practice_a.practice, active=False)

    response = _new_client(api_a, inactive)

    assert response.status_code == 400
    assert response.json()["errors"] == {"clinician": ["This clinician is not active."]}


def test_a_client_can_be_discharged(api_a, client_a):
    response = api_a.patch(
        f"/api/v1/clients/{client_a.pk}/", {"status": "discharged"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "discharged"


def test_clients_filter_by_clinician_and_status(api_a, practice_a, clinician_a):
    mine = make_client(practice_a.practice, clinician=clinician_a)
    make_client(practice_a.practice)
    discharged = make_client(practice_a.practice, clinician=clinician_a)
    api_a.patch(f"/api/v1/clients/{discharged.pk}/", {"status": "discharged"}, format="json")

    response = api_a.get("/api/v1/clients/", {"clinician": str(clinician_a.pk), "status": "active"})

    assert [c["id"] for c in response.json()["results"]] == [str(mine.pk)]


def test_a_malformed_filter_is_a_field_error(api_a):
    response = api_a.get("/api/v1/clients/", {"clinician": "not-a-uuid", "status": "sleeping"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"clinician", "status"}


def test_deleting_a_client_erases_their_sessions(api_a, practice_a, client_a):
    make_session(practice_a.practice, client=client_a)

    response = api_a.delete(f"/api/v1/clients/{client_a.pk}/")

    assert response.status_code == 204
    assert not Client.across_practices_unsafe.filter(pk=client_a.pk).exists()
    assert not Session.across_practices_unsafe.filter(client_id=client_a.pk).exists()
