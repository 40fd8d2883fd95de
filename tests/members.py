"""Signing members in the way they do it: an emailed link, opened and confirmed."""

import re

from django.core import mail
from django.test import Client, TestCase

LINK = re.compile(r"https?://[^/\s]+(/app/sign-in/[A-Za-z0-9_-]{43}/)")


def post_form(browser: Client, path: str, data: dict | None = None):
    """Open the page, then post its form with the CSRF token it set, as a browser does."""
    browser.get(path)
    token = browser.cookies["csrftoken"].value
    return browser.post(path, (data or {}) | {"csrfmiddlewaretoken": token})


def ask_for_sign_in_link(browser: Client, email: str, next_path: str | None = None):
    """Ask for a link as the sign-in page's form does, with the email sent as a worker would."""
    data = {"email": email} | ({"next": next_path} if next_path else {})
    with TestCase.captureOnCommitCallbacks(execute=True):
        return post_form(browser, "/app/sign-in/", data)


def sign_in_link_path(practice_name: str | None = None) -> str:
    """The path of the latest emailed sign-in link (to that practice, when named)."""
    for message in reversed(mail.outbox):
        if practice_name is None or practice_name in message.subject:
            found = LINK.search(message.body)
            if found:
                return found.group(1)
    raise AssertionError("No sign-in link was emailed")


def signed_in(member, browser: Client | None = None) -> Client:
    """A browser signed in as `member`, through the emailed link."""
    browser = browser or Client()
    ask_for_sign_in_link(browser, member.email)
    response = post_form(browser, sign_in_link_path(member.practice.name))
    assert response.status_code == 303, response.status_code
    return browser
