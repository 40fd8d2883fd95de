"""Asking for sign-in links is limited per address and per network address."""

import pytest
from django.core import mail
from django.test import Client, override_settings

from tests.members import ask_for_sign_in_link

pytestmark = pytest.mark.django_db


@override_settings(SIGN_IN_REQUESTS_PER_ADDRESS=3)
def test_it_refuses_a_fourth_request_for_one_address_from_anywhere(clinician_member_a):
    for n in range(3):
        ask_for_sign_in_link(Client(REMOTE_ADDR=f"10.0.0.{n}"), clinician_member_a.email)

    refused = ask_for_sign_in_link(Client(REMOTE_ADDR="10.0.0.9"), clinician_member_a.email)

    assert refused.status_code == 429
    assert len(mail.outbox) == 3


@override_settings(SIGN_IN_REQUESTS_PER_ADDRESS=3)
def test_an_unknown_address_is_limited_exactly_as_a_known_one(clinician_member_a):
    answers = [
        ask_for_sign_in_link(Client(REMOTE_ADDR=f"10.0.1.{n}"), "nobody@example.org").status_code
        for n in range(4)
    ]

    assert answers == [200, 200, 200, 429]


@override_settings(SIGN_IN_REQUESTS_PER_IP=2)
def test_it_refuses_a_third_request_from_one_network_address(clinician_member_a):
    browser = Client(REMOTE_ADDR="10.0.2.1")
    ask_for_sign_in_link(browser, "someone@example.org")
    ask_for_sign_in_link(browser, "someone-else@example.org")

    refused = ask_for_sign_in_link(browser, clinician_member_a.email)

    assert refused.status_code == 429
    assert mail.outbox == []
