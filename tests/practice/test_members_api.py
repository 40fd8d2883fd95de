"""`/api/v1/members/`: who may sign in to the practice's pages, managed with its key."""

import pytest

from practice.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/members/"


def test_it_lists_the_practices_members(api_a, owner_a, clinician_member_a):
    response = api_a.get(URL)

    assert response.status_code == 200
    rows = {row["email"]: row for row in response.json()["results"]}
    assert set(rows) == {owner_a.email, clinician_member_a.email}
    assert rows[clinician_member_a.email] | {"created_at": None, "updated_at": None} == {
        "id": str(clinician_member_a.pk),
        "email": clinician_member_a.email,
        "role": "clinician",
        "clinician": str(clinician_member_a.clinician_id),
        "active": True,
        "created_at": None,
        "updated_at": None,
    }


def test_it_adds_a_clinician_member(api_a, clinician_a):
    response = api_a.post(
        URL,
        {"email": "Alma@Example.org", "role": "clinician", "clinician": str(clinician_a.pk)},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["email"] == "alma@example.org"
    assert Membership.across_practices_unsafe.filter(clinician=clinician_a).exists()


def test_a_clinician_member_needs_its_clinician(api_a):
    response = api_a.post(URL, {"email": "c@example.org", "role": "clinician"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"clinician"}


def test_an_address_is_a_member_once_per_practice(api_a, owner_a):
    response = api_a.post(URL, {"email": owner_a.email.upper(), "role": "admin"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email"}


def test_an_address_that_is_a_member_elsewhere_is_added_as_any_other(api_a, outsider_b):
    response = api_a.post(URL, {"email": outsider_b.email, "role": "admin"}, format="json")

    assert response.status_code == 201
    assert set(response.json()) == {
        "id",
        "email",
        "role",
        "clinician",
        "active",
        "created_at",
        "updated_at",
    }


def test_a_member_cannot_be_another_practices_clinician(api_b, clinician_a):
    response = api_b.post(
        URL,
        {"email": "x@example.org", "role": "clinician", "clinician": str(clinician_a.pk)},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"clinician"}


def test_it_deactivates_a_member(api_a, practice_a):
    member = factories.make_member(practice_a.practice)

    response = api_a.patch(f"{URL}{member.pk}/", {"active": False}, format="json")

    assert response.status_code == 200
    assert response.json()["active"] is False


def test_it_removes_a_member(api_a, practice_a):
    member = factories.make_member(practice_a.practice)

    assert api_a.delete(f"{URL}{member.pk}/").status_code == 204
    assert api_a.get(f"{URL}{member.pk}/").status_code == 404


def test_it_keeps_the_practices_only_owner(api_a, owner_a):
    removed = api_a.delete(f"{URL}{owner_a.pk}/")
    demoted = api_a.patch(f"{URL}{owner_a.pk}/", {"role": "admin"}, format="json")
    deactivated = api_a.patch(f"{URL}{owner_a.pk}/", {"active": False}, format="json")

    assert removed.status_code == demoted.status_code == deactivated.status_code == 409


def test_an_owner_can_step_down_once_there_is_another(api_a, practice_a, owner_a):
    factories.make_member(practice_a.practice, role="owner")

    response = api_a.patch(f"{URL}{owner_a.pk}/", {"role": "admin"}, format="json")

    assert response.status_code == 200


def test_it_refuses_an_unknown_role(api_a):
    response = api_a.post(URL, {"email": "r@example.org", "role": "superuser"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"role"}


def test_it_needs_the_practices_key(anonymous_api):
    assert anonymous_api.get(URL).status_code == 401
