"""A member's session: idle timeout, sign-out, and access lost at once when removed."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from practice.services import member_delete, member_update
from practice.tenancy import practice_scope
from tests.factories import make_member
from tests.members import signed_in

pytestmark = pytest.mark.django_db

PAGE = "/app/members/"


def _is_sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/app/sign-in/?next=")


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(client):
    response = client.get(PAGE)

    assert _is_sent_to_sign_in(response)
    assert response["Location"] == "/app/sign-in/?next=%2Fapp%2Fmembers%2F"


def test_a_signed_in_owner_sees_the_page(owner_a):
    assert signed_in(owner_a).get(PAGE).status_code == 200


def test_a_session_idle_for_twelve_hours_is_over(owner_a):
    browser = signed_in(owner_a)

    with time_machine.travel(timezone.now() + timedelta(hours=12, minutes=1)):
        assert _is_sent_to_sign_in(browser.get(PAGE))


def test_a_session_in_use_stays_open_past_twelve_hours(owner_a):
    browser = signed_in(owner_a)
    start = timezone.now()

    for hours in (6, 12, 18):
        with time_machine.travel(start + timedelta(hours=hours)):
            assert browser.get(PAGE).status_code == 200


def test_signing_out_ends_the_session(owner_a):
    browser = signed_in(owner_a)

    signed_out = browser.post("/app/sign-out/")

    assert signed_out.status_code == 200
    assert _is_sent_to_sign_in(browser.get(PAGE))


def test_a_deactivated_member_loses_access_at_once(practice_a, owner_a):
    member = make_member(practice_a.practice, role="admin")
    browser = signed_in(member)
    with practice_scope(practice_a.practice):
        member_update(member=member, active=False)

    assert _is_sent_to_sign_in(browser.get(PAGE))
    assert signed_in(owner_a).get(PAGE).status_code == 200


def test_a_removed_member_loses_access_at_once(practice_a):
    member = make_member(practice_a.practice, role="admin")
    browser = signed_in(member)
    with practice_scope(practice_a.practice):
        member_delete(member=member)

    assert _is_sent_to_sign_in(browser.get(PAGE))
