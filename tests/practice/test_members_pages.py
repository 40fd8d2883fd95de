"""Owners and admins manage the practice's members on the pages; no one else sees them."""

import re
import uuid

import pytest
from django.test import Client

from practice.models import Membership
from tests import factories
from tests.members import signed_in

pytestmark = pytest.mark.django_db


def _without_nonce_and_csrf(response, *ids) -> str:
    """The page without what differs on every answer, and with the ids asked for masked."""
    page = response.content.decode()
    for id_ in ids:
        page = page.replace(str(id_), "ID")
    page = re.sub(r'nonce="[^"]+"', "", page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def _comparable_path(response, *ids) -> str:
    page = _without_nonce_and_csrf(response, *ids)
    return re.sub(r'name="next" value="[^"]*"', "", page)


def test_an_owner_sees_the_members(owner_a, clinician_member_a):
    page = signed_in(owner_a).get("/app/members/")

    assert page.status_code == 200
    assert clinician_member_a.email in page.content.decode()


def test_an_owner_adds_a_clinician_member(owner_a, clinician_a):
    response = signed_in(owner_a).post(
        "/app/members/",
        {
            "email": "new@example.org",
            "role": "clinician",
            "clinician": str(clinician_a.pk),
            "active": "on",
        },
    )

    assert response.status_code == 303
    added = Membership.across_practices_unsafe.get(email="new@example.org")
    assert (added.role, added.clinician_id, added.active) == ("clinician", clinician_a.pk, True)


def test_the_form_shows_the_services_refusals(owner_a):
    response = signed_in(owner_a).post(
        "/app/members/", {"email": "c@example.org", "role": "clinician"}
    )

    assert response.status_code == 400
    assert "needs its clinician" in response.content.decode()


def test_an_admin_deactivates_a_member(practice_a, clinician_member_a, clinician_a):
    admin = factories.make_member(practice_a.practice, role="admin")

    response = signed_in(admin).post(
        f"/app/members/{clinician_member_a.pk}/",
        {"email": clinician_member_a.email, "role": "clinician", "clinician": str(clinician_a.pk)},
    )

    assert response.status_code == 303
    assert not Membership.across_practices_unsafe.get(pk=clinician_member_a.pk).active


def test_an_owner_removes_a_member(owner_a, clinician_member_a):
    response = signed_in(owner_a).post(f"/app/members/{clinician_member_a.pk}/remove/")

    assert response.status_code == 303
    assert not Membership.across_practices_unsafe.filter(pk=clinician_member_a.pk).exists()


def test_the_only_owner_is_kept(owner_a):
    response = signed_in(owner_a).post(f"/app/members/{owner_a.pk}/remove/")

    assert response.status_code == 409
    assert Membership.across_practices_unsafe.filter(pk=owner_a.pk).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/app/members/{id}/"),
        ("post", "/app/members/{id}/"),
        ("post", "/app/members/{id}/remove/"),
    ],
)
@pytest.mark.parametrize("persona", ["clinician_member_a", "outsider_b"])
def test_another_practices_owner_and_a_clinician_get_what_an_unknown_id_gets(
    request, owner_a, persona, method, path
):
    """A member of practice A, to a clinician of A or the owner of B: the same page as an id
    that does not exist, and nothing changes."""
    browser = signed_in(request.getfixturevalue(persona))
    before = list(Membership.across_practices_unsafe.order_by("pk").values())
    body = {"email": "x@example.org", "role": "owner"}

    unknown = uuid.uuid4()
    foreign = getattr(browser, method)(path.format(id=owner_a.pk), body)
    missing = getattr(browser, method)(path.format(id=unknown), body)

    assert foreign.status_code == missing.status_code == 404
    assert _without_nonce_and_csrf(foreign, owner_a.pk) == _without_nonce_and_csrf(missing, unknown)
    assert list(Membership.across_practices_unsafe.order_by("pk").values()) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_to_a_clinician_the_member_list_does_not_exist(clinician_member_a, method):
    browser = signed_in(clinician_member_a)
    before = Membership.across_practices_unsafe.count()

    answer = getattr(browser, method)("/app/members/", {"email": "x@example.org", "role": "owner"})
    unknown = uuid.uuid4()
    missing = getattr(browser, method)(f"/app/members/{unknown}/")

    assert answer.status_code == 404
    assert _comparable_path(answer) == _comparable_path(missing, unknown)
    assert Membership.across_practices_unsafe.count() == before


def test_the_forms_need_their_csrf_token(owner_a, clinician_member_a):
    browser = signed_in(owner_a, Client(enforce_csrf_checks=True))

    response = browser.post(f"/app/members/{clinician_member_a.pk}/remove/")

    assert response.status_code == 403
    assert Membership.across_practices_unsafe.filter(pk=clinician_member_a.pk).exists()


def test_the_pages_are_never_cached(owner_a):
    response = signed_in(owner_a).get("/app/members/")

    assert response["Cache-Control"] == "no-store"
    assert "script-src" not in response["Content-Security-Policy"]
