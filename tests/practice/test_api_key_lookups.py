from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from practice import services
from practice.auth import APIKeyAuthentication
from practice.models import APIKey
from practice.tenancy import practice_scope

pytestmark = pytest.mark.django_db


def _queries_on_api_keys(api, path="/api/v1/clinicians/") -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return [q["sql"] for q in queries if "practice_apikey" in q["sql"]]


def _revoke_elsewhere(practice) -> None:
    """As admin or another web process would: the row changes, this process is not told."""
    APIKey.across_practices_unsafe.filter(practice=practice).update(revoked_at=timezone.now())


def test_a_known_key_costs_no_query_on_the_next_request(api_a):
    _queries_on_api_keys(api_a)

    assert _queries_on_api_keys(api_a) == []


def test_a_key_revoked_elsewhere_is_refused_once_the_cache_lifetime_has_passed(
    practice_a, api_a, settings
):
    assert api_a.get("/api/v1/clinicians/").status_code == 200
    _revoke_elsewhere(practice_a.practice)

    later = timezone.now() + timedelta(seconds=settings.API_KEY_CACHE_SECONDS + 0.5)
    with time_machine.travel(later):
        assert api_a.get("/api/v1/clinicians/").status_code == 401


def test_a_key_revoked_in_this_process_is_refused_at_once(practice_a, api_a):
    assert api_a.get("/api/v1/clinicians/").status_code == 200
    with practice_scope(practice_a.practice):
        services.api_key_revoke(api_key=APIKey.objects.get())

    assert api_a.get("/api/v1/clinicians/").status_code == 401


def test_without_a_cache_lifetime_every_request_looks_its_key_up(practice_a, api_a, settings):
    settings.API_KEY_CACHE_SECONDS = 0
    assert api_a.get("/api/v1/clinicians/").status_code == 200
    _revoke_elsewhere(practice_a.practice)

    assert api_a.get("/api/v1/clinicians/").status_code == 401


def test_the_use_of_a_key_is_written_at_most_once_a_minute(practice_a, api_a, settings):
    settings.API_KEY_CACHE_SECONDS = 0
    first = _queries_on_api_keys(api_a)
    again = _queries_on_api_keys(api_a)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        a_minute_later = _queries_on_api_keys(api_a)
        with practice_scope(practice_a.practice):
            last_used_at = APIKey.objects.get().last_used_at

    assert [sql.startswith("UPDATE") for sql in first] == [False, True]
    assert [sql.startswith("UPDATE") for sql in again] == [False]
    assert [sql.startswith("UPDATE") for sql in a_minute_later] == [False, True]
    assert last_used_at > timezone.now() + timedelta(seconds=59)


def test_what_one_request_does_to_its_practice_does_not_reach_the_next(practice_a):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {practice_a.api_key}")
    _, first = APIKeyAuthentication().authenticate(request)
    first.practice.name = "Changed in memory only"
    _, second = APIKeyAuthentication().authenticate(request)

    assert second.practice.name == practice_a.practice.name
