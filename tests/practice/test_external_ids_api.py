"""The practice's own ids: put, read, find and guard clinicians and clients by them."""

import pytest

from practice.models import Client, Clinician
from tests.factories import make_client, make_clinician

pytestmark = pytest.mark.django_db


def test_putting_a_new_external_id_creates_the_clinician(api_a):
    response = api_a.put(
        "/api/v1/clinicians/external/EHR-7/",
        {"name": "Dr. Ruiz", "email": "ruiz@example.org"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["external_id"] == "EHR-7"
    assert Clinician.across_practices_unsafe.get(external_id="EHR-7").name == "Dr. Ruiz"


def test_putting_a_known_external_id_again_updates_the_same_clinician(api_a):
    url = "/api/v1/clinicians/external/EHR-7/"
    first = api_a.put(url, {"name": "Dr. Ruiz", "email": "ruiz@example.org"}, format="json")

    second = api_a.put(url, {"name": "Dr. Ana Ruiz"}, format="json")

    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["name"] == "Dr. Ana Ruiz"
    assert second.json()["email"] == "ruiz@example.org"
    assert Clinician.across_practices_unsafe.count() == 1


def test_a_new_client_names_its_clinician_by_external_id(api_a, practice_a):
    clinician = make_clinician(practice_a.practice, external_id="EHR-C1")

    response = api_a.put(
        "/api/v1/clients/external/EHR-P1/",
        {"name": "Lena", "email": "lena@example.org", "clinician_external_id": "EHR-C1"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["clinician"] == str(clinician.pk)
    assert response.json()["timezone"] == "Europe/Madrid"


def test_a_new_record_needs_its_required_fields(api_a):
    response = api_a.put("/api/v1/clients/external/EHR-P1/", {"name": "Lena"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "clinician"}
    assert not Client.across_practices_unsafe.exists()


def test_an_unknown_clinician_external_id_is_a_field_error(api_a):
    response = api_a.put(
        "/api/v1/clients/external/EHR-P1/",
        {"name": "Lena", "email": "lena@example.org", "clinician_external_id": "nobody"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"clinician_external_id"}


def test_a_record_is_read_by_its_external_id(api_a, practice_a, clinician_a):
    client = make_client(practice_a.practice, clinician=clinician_a, external_id="EHR-P1")

    response = api_a.get("/api/v1/clients/external/EHR-P1/")

    assert response.status_code == 200
    assert response.json()["id"] == str(client.pk)


def test_an_unknown_external_id_is_not_found(api_a):
    response = api_a.get("/api/v1/clients/external/EHR-P1/")

    assert response.status_code == 404


def test_lists_filter_by_external_id(api_a, practice_a, clinician_a):
    wanted = make_client(practice_a.practice, clinician=clinician_a, external_id="EHR-P1")
    make_client(practice_a.practice, clinician=clinician_a, external_id="EHR-P2")

    response = api_a.get("/api/v1/clients/", {"external_id": "EHR-P1"})

    assert [row["id"] for row in response.json()["results"]] == [str(wanted.pk)]


def test_creating_with_a_taken_external_id_is_a_conflict_naming_the_holder(
    api_a, practice_a, clinician_a
):
    holder = make_client(practice_a.practice, clinician=clinician_a, external_id="EHR-P1")

    response = api_a.post(
        "/api/v1/clients/",
        {
            "name": "Other",
            "email": "other@example.org",
            "clinician": str(clinician_a.pk),
            "external_id": "EHR-P1",
        },
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["existing_id"] == str(holder.pk)
    assert Client.across_practices_unsafe.count() == 1


def test_patching_to_a_taken_external_id_is_a_conflict_naming_the_holder(
    api_a, practice_a, clinician_a
):
    holder = make_clinician(practice_a.practice, external_id="EHR-C1")

    response = api_a.patch(
        f"/api/v1/clinicians/{clinician_a.pk}/", {"external_id": "EHR-C1"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["existing_id"] == str(holder.pk)


def test_putting_a_clinician_whose_email_is_taken_is_a_conflict_naming_the_holder(
    api_a, clinician_a
):
    response = api_a.put(
        "/api/v1/clinicians/external/EHR-C9/",
        {"name": "Same person", "email": clinician_a.email},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["existing_id"] == str(clinician_a.pk)


@pytest.mark.parametrize("external_id", ["", "has space", "-leading-dash", "x" * 129])
def test_an_external_id_keeps_to_characters_safe_in_an_address(api_a, clinician_a, external_id):
    response = api_a.patch(
        f"/api/v1/clinicians/{clinician_a.pk}/", {"external_id": external_id}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"external_id"}


def test_the_same_external_id_may_be_used_by_two_practices(api_a, practice_b, clinician_a):
    make_clinician(practice_b.practice, external_id="EHR-C1")

    response = api_a.patch(
        f"/api/v1/clinicians/{clinician_a.pk}/", {"external_id": "EHR-C1"}, format="json"
    )

    assert response.status_code == 200
