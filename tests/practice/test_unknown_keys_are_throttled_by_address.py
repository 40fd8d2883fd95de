"""Requests without a valid key are throttled by their address, under the same rate."""

import pytest
from django.test import override_settings

from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


@override_settings(API_RATE_LIMIT="3/min")
def test_guessing_keys_from_one_address_is_throttled():
    statuses = [
        api_client_for(f"alk_guess{n}").get("/api/v1/clients/").status_code for n in range(4)
    ]

    assert statuses == [401, 401, 401, 429]


@override_settings(API_RATE_LIMIT="3/min")
def test_requests_without_a_key_are_throttled_too():
    statuses = [api_client_for(None).get("/api/v1/clients/").status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 429]


@override_settings(API_RATE_LIMIT="3/min")
def test_a_valid_key_is_not_held_back_by_guesses_from_its_address(api_a):
    for n in range(4):
        api_client_for(f"alk_guess{n}").get("/api/v1/clients/")

    assert api_a.get("/api/v1/clients/").status_code == 200
