import pytest

from practice.models import Clinician
from tests.factories import make_client, make_session

pytestmark = pytest.mark.django_db


def test_a_clinician_is_created_active(api_a):
    response = api_a.post(
        "/api/v1/clinicians/", {"name": "Dr. Ruiz", "email": "ruiz@example.org"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Dr. Ruiz"
    assert body["active"] is True
    assert api_a.get(f"/api/v1/clinicians/{body['id']}/").json() == body


def test_a_clinician_needs_a_name_and_a_valid_email(api_a):
    response = api_a.post("/api/v1/clinicians/", {"email": "not-an-email"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "email"}


def test_two_clinicians_of_a_practice_cannot_share_an_email(api_a, clinician_a):
    response = api_a.post(
        "/api/v1/clinicians/",
        {"name": "Twin", "email": clinician_a.email.upper()},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["errors"] == {"email": ["A clinician with this email already exists."]}
    assert response.json()["existing_id"] == str(clinician_a.pk)


def test_another_practice_may_use_the_same_clinician_email(api_b, clinician_a):
    response = api_b.post(
        "/api/v1/clinicians/", {"name": "Same", "email": clinician_a.email}, format="json"
    )

    assert response.status_code == 201


def test_a_clinician_can_be_deactivated(api_a, clinician_a):
    response = api_a.patch(
        f"/api/v1/clinicians/{clinician_a.pk}/", {"active": False}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["active"] is False


def test_deleting_a_clinician_with_clients_is_a_conflict(api_a, practice_a, clinician_a):
    make_client(practice_a.practice, clinician=clinician_a)

    response = api_a.delete(f"/api/v1/clinicians/{clinician_a.pk}/")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "still has clients" in response.json()["detail"]
    assert Clinician.across_practices_unsafe.filter(pk=clinician_a.pk).exists()


def test_deleting_a_clinician_with_session_history_is_a_conflict(
    api_a, practice_a, clinician_a, client_a
):
    other = make_client(practice_a.practice)
    make_session(practice_a.practice, client=other, clinician=clinician_a)

    with_clients_moved = api_a.patch(
        f"/api/v1/clients/{client_a.pk}/", {"clinician": str(other.clinician_id)}, format="json"
    )
    response = api_a.delete(f"/api/v1/clinicians/{clinician_a.pk}/")

    assert with_clients_moved.status_code == 200
    assert response.status_code == 409
    assert "session history" in response.json()["detail"]


def test_a_clinician_without_clients_can_be_deleted(api_a, clinician_a):
    response = api_a.delete(f"/api/v1/clinicians/{clinician_a.pk}/")

    assert response.status_code == 204
    assert api_a.get(f"/api/v1/clinicians/{clinician_a.pk}/").status_code == 404


def test_put_is_not_offered(api_a, clinician_a):
    response = api_a.put(f"/api/v1/clinicians/{clinician_a.pk}/", {}, format="json")

    assert response.status_code == 405
