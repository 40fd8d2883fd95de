import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from practice.models import APIKey, Membership, Practice
from practice.tenancy import practice_scope
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def _create(*args) -> dict:
    out = StringIO()
    call_command("create_practice", *args, "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_it_prints_the_practice_and_a_working_key_as_json():
    created = _create("Rooted Wellness", "--owner-email", "owner@example.org")

    assert created["slug"] == "rooted-wellness"
    response = api_client_for(created["api_key"]).get("/api/v1/clients/")
    assert response.status_code == 200


def test_it_makes_the_owner_a_member():
    created = _create("Rooted Wellness", "--owner-email", "Owner@Example.org")

    practice = Practice.objects.get(pk=created["id"])
    with practice_scope(practice):
        owner = Membership.objects.get()
    assert (owner.email, owner.role) == ("owner@example.org", "owner")


def test_it_stores_only_a_hash_of_the_key():
    created = _create("Rooted Wellness", "--owner-email", "owner@example.org")

    assert not APIKey.across_practices_unsafe.filter(hashed_secret=created["api_key"]).exists()
    assert not APIKey.across_practices_unsafe.filter(prefix=created["api_key"]).exists()


def test_slugs_stay_unique():
    first = _create("Rooted Wellness", "--owner-email", "a@example.org")
    second = _create("Rooted Wellness", "--owner-email", "b@example.org")

    assert (first["slug"], second["slug"]) == ("rooted-wellness", "rooted-wellness-2")


def test_an_unknown_timezone_is_refused():
    with pytest.raises(CommandError, match="IANA"):
        _create("Somewhere", "--owner-email", "a@example.org", "--timezone", "Nowhere/City")
