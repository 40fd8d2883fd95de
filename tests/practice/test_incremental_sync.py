"""A practice's system fetches only what changed since its last sync, and misses nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practice.models import Client
from tests.factories import make_client

pytestmark = pytest.mark.django_db

LISTS = [
    "clinicians",
    "clients",
    "sessions",
    "survey-invitations",
    "responses",
    "instruments",
    "alerts",
    "messages",
    "webhooks",
]


def _walk(api, url, params=None):
    seen, body = [], api.get(url, params).json()
    while True:
        seen += body["results"]
        if body["next"] is None:
            return seen
        body = api.get(body["next"]).json()


def _clients(practice, clinician, n):
    return [make_client(practice.practice, clinician=clinician) for _ in range(n)]


def test_updated_since_lists_the_changed_records_oldest_change_first(
    api_a, practice_a, clinician_a
):
    old, changed, later = _clients(practice_a, clinician_a, 3)
    start = timezone.now() - timedelta(days=1)
    Client.across_practices_unsafe.filter(pk=old.pk).update(updated_at=start - timedelta(hours=1))
    Client.across_practices_unsafe.filter(pk=changed.pk).update(updated_at=start)

    rows = _walk(api_a, "/api/v1/clients/", {"updated_since": start.isoformat()})

    assert [row["id"] for row in rows] == [str(changed.pk), str(later.pk)]


def test_a_sync_paging_through_rows_that_changed_at_the_same_instant_misses_none(
    api_a, practice_a, clinician_a
):
    clients = _clients(practice_a, clinician_a, 7)
    same_instant = timezone.now()
    Client.across_practices_unsafe.update(updated_at=same_instant)

    rows = _walk(
        api_a, "/api/v1/clients/", {"updated_since": same_instant.isoformat(), "page_size": 2}
    )

    assert sorted(row["id"] for row in rows) == sorted(str(c.pk) for c in clients)
    assert len(rows) == 7


def test_a_record_changed_while_a_sync_pages_is_met_again_on_a_later_page(
    api_a, practice_a, clinician_a
):
    clients = _clients(practice_a, clinician_a, 4)
    since = (timezone.now() - timedelta(minutes=1)).isoformat()
    first = api_a.get("/api/v1/clients/", {"updated_since": since, "page_size": 2}).json()
    api_a.patch(f"/api/v1/clients/{first['results'][0]['id']}/", {"name": "Renamed"}, "json")

    rest = _walk(api_a, first["next"])

    seen = [row["id"] for row in first["results"] + rest]
    assert set(seen) == {str(c.pk) for c in clients}
    assert rest[-1]["name"] == "Renamed"


def test_updated_since_needs_a_utc_offset(api_a):
    response = api_a.get("/api/v1/clients/", {"updated_since": "2026-05-04T15:00:00"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"updated_since"}


@pytest.mark.parametrize("resource", LISTS)
def test_every_list_takes_updated_since(api_a, client_a, resource):
    response = api_a.get(f"/api/v1/{resource}/", {"updated_since": "2026-01-01T00:00:00Z"})

    assert response.status_code == 200


def test_ordering_by_an_indexed_field_ascending_or_descending(api_a, practice_a, clinician_a):
    clients = _clients(practice_a, clinician_a, 3)

    ascending = _walk(api_a, "/api/v1/clients/", {"ordering": "created_at", "page_size": 2})
    descending = _walk(api_a, "/api/v1/clients/", {"ordering": "-created_at", "page_size": 2})

    assert [row["id"] for row in ascending] == [str(c.pk) for c in clients]
    assert [row["id"] for row in descending] == [str(c.pk) for c in reversed(clients)]


def test_ordering_by_a_field_no_index_serves_is_refused(api_a):
    response = api_a.get("/api/v1/clients/", {"ordering": "email"})

    assert response.status_code == 400
    assert "created_at, updated_at" in response.json()["errors"]["ordering"][0]


def test_an_updated_since_list_keeps_its_order_by_change(api_a):
    response = api_a.get(
        "/api/v1/clients/", {"updated_since": "2026-01-01T00:00:00Z", "ordering": "-created_at"}
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"ordering"}


def test_a_previous_link_leads_back_to_the_page_before(api_a, practice_a, clinician_a):
    _clients(practice_a, clinician_a, 5)
    first = api_a.get("/api/v1/clients/", {"page_size": 2}).json()
    second = api_a.get(first["next"]).json()

    back = api_a.get(second["previous"]).json()

    assert back["results"] == first["results"]


def test_a_cursor_that_the_list_never_gave_is_a_bad_request(api_a, client_a):
    response = api_a.get("/api/v1/clients/", {"cursor": "bm90IGEgY3Vyc29y"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"cursor"}
