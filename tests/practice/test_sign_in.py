"""A member signs in with a one-time link emailed to them."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from practice.models import SignInLink
from practice.services import member_update
from practice.tenancy import practice_scope
from tests import factories
from tests.members import ask_for_sign_in_link, sign_in_link_path, signed_in

pytestmark = pytest.mark.django_db


def _page_text(response) -> str:
    return response.content.decode()


def _comparable(response, address: str) -> str:
    """The page without what differs on every answer: the nonce, the CSRF token, the address."""
    page = _page_text(response).replace(address, "ADDRESS")
    page = re.sub(r'nonce="[^"]+"', "NONCE", page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", page)


def test_the_sign_in_page_is_one_email_field_with_a_csrf_token(client):
    response = client.get("/app/sign-in/")

    assert response.status_code == 200
    page = _page_text(response)
    assert page.count('type="email"') == 1
    assert "csrfmiddlewaretoken" in page


def test_it_emails_a_member_a_link_to_their_practice(clinician_member_a):
    ask_for_sign_in_link(Client(), clinician_member_a.email)

    (email,) = mail.outbox
    assert email.to == [clinician_member_a.email]
    assert clinician_member_a.practice.name in email.subject
    assert sign_in_link_path() in email.body


def test_it_answers_an_unknown_address_exactly_as_a_known_one(clinician_member_a):
    known = ask_for_sign_in_link(Client(), clinician_member_a.email)
    unknown = ask_for_sign_in_link(Client(), "nobody@example.org")

    assert known.status_code == unknown.status_code == 200
    assert _comparable(known, clinician_member_a.email) == _comparable(
        unknown, "nobody@example.org"
    )
    assert len(mail.outbox) == 1


def test_it_sends_nothing_to_a_deactivated_member(practice_a, clinician_member_a):
    with practice_scope(practice_a.practice):
        member_update(member=clinician_member_a, active=False)

    response = ask_for_sign_in_link(Client(), clinician_member_a.email)

    assert response.status_code == 200
    assert mail.outbox == []


def test_it_stores_only_a_hash_of_the_token(clinician_member_a):
    ask_for_sign_in_link(Client(), clinician_member_a.email)
    token = sign_in_link_path().split("/")[-2]

    link = SignInLink.across_practices_unsafe.get()
    assert token not in link.token_hash
    assert len(link.token_hash) == 64


def test_opening_the_link_asks_to_confirm_and_does_not_use_it_up(clinician_member_a):
    browser = Client()
    ask_for_sign_in_link(browser, clinician_member_a.email)
    path = sign_in_link_path()

    first = browser.get(path)
    second = browser.get(path)

    assert first.status_code == second.status_code == 200
    assert "csrfmiddlewaretoken" in _page_text(first)
    assert SignInLink.across_practices_unsafe.get().used_at is None


def test_the_link_signs_in_once_only(clinician_member_a):
    browser = Client()
    ask_for_sign_in_link(browser, clinician_member_a.email)
    path = sign_in_link_path()

    used = browser.post(path)
    again = Client().post(path)

    assert used.status_code == 303
    assert again.status_code == 404


def test_the_link_expires_after_fifteen_minutes(clinician_member_a):
    ask_for_sign_in_link(Client(), clinician_member_a.email)
    path = sign_in_link_path()

    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        response = Client().post(path)

    assert response.status_code == 404


def test_a_link_of_a_member_deactivated_since_does_not_sign_in(practice_a, clinician_member_a):
    ask_for_sign_in_link(Client(), clinician_member_a.email)
    with practice_scope(practice_a.practice):
        member_update(member=clinician_member_a, active=False)

    response = Client().post(sign_in_link_path())

    assert response.status_code == 404


def test_an_altered_link_answers_as_an_unknown_one(clinician_member_a):
    ask_for_sign_in_link(Client(), clinician_member_a.email)
    path = sign_in_link_path()
    altered = path[:-3] + ("A" if path[-3] != "A" else "B") + "/"

    assert Client().get(altered).status_code == 404
    assert Client().get("/app/sign-in/not-a-token/").status_code == 404


def test_it_leads_back_to_where_the_member_was_going(clinician_member_a):
    browser = Client()
    ask_for_sign_in_link(browser, clinician_member_a.email, next_path="/app/members/")

    response = browser.post(sign_in_link_path())

    assert response["Location"] == "/app/members/"


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/app/", "/admin/", "/app/\\evil"]
)
def test_it_never_leads_outside_the_pages(clinician_member_a, elsewhere):
    browser = Client()
    ask_for_sign_in_link(browser, clinician_member_a.email, next_path=elsewhere)

    response = browser.post(sign_in_link_path())

    assert response["Location"] == "/app/"


def test_an_address_in_two_practices_gets_one_link_for_each_and_signs_in_to_one(
    practice_a, practice_b, clinician_member_a
):
    other = factories.make_member(practice_b.practice, email=clinician_member_a.email)

    ask_for_sign_in_link(Client(), clinician_member_a.email)

    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"Sign in to {p.name}" for p in (practice_a.practice, practice_b.practice)
    )
    browser = Client()
    browser.post(sign_in_link_path(practice_b.practice.name))
    assert browser.session["member_id"] == str(other.pk)


def test_signing_in_gives_a_new_session_id(clinician_member_a):
    browser = Client()
    browser.get("/app/sign-in/")
    browser.session.save()
    before = browser.session.session_key

    signed_in(clinician_member_a, browser)

    assert browser.session.session_key != before


def test_the_session_cookie_is_http_only_and_same_site_lax(clinician_member_a):
    browser = Client()
    ask_for_sign_in_link(browser, clinician_member_a.email)

    response = browser.post(sign_in_link_path())

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize("path", ["/app/sign-in/", "/app/sign-in/not-a-token/"])
def test_the_sign_in_pages_are_never_cached_and_allow_no_scripts(client, path):
    response = client.get(path)

    assert response["Cache-Control"] == "no-store"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
