"""Erasures leave tombstones, type and id only, so that a syncing system can erase its copies."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practice.models import Tombstone
from tests.factories import make_clinician, make_session

pytestmark = pytest.mark.django_db


def test_erasing_a_client_leaves_tombstones_for_the_client_and_their_sessions(
    api_a, practice_a, client_a
):
    sessions = [make_session(practice_a.practice, client=client_a) for _ in range(2)]
    api_a.delete(f"/api/v1/clients/{client_a.pk}/")

    rows = api_a.get("/api/v1/deletions/").json()["results"]

    assert sorted((row["type"], row["id"]) for row in rows) == sorted(
        [("client", str(client_a.pk))] + [("session", str(s.pk)) for s in sessions]
    )
    assert all(set(row) == {"type", "id", "deleted_at"} for row in rows)


def test_deleting_a_clinician_leaves_a_tombstone(api_a, practice_a):
    clinician = make_clinician(practice_a.practice)
    api_a.delete(f"/api/v1/clinicians/{clinician.pk}/")

    rows = api_a.get("/api/v1/deletions/").json()["results"]

    assert [(row["type"], row["id"]) for row in rows] == [("clinician", str(clinician.pk))]


def test_since_lists_the_erasures_from_that_time_on(api_a, practice_a, client_a):
    api_a.delete(f"/api/v1/clients/{client_a.pk}/")
    erased_at = Tombstone.across_practices_unsafe.get().deleted_at

    at = api_a.get("/api/v1/deletions/", {"since": erased_at.isoformat()}).json()
    after = api_a.get(
        "/api/v1/deletions/", {"since": (erased_at + timedelta(microseconds=1)).isoformat()}
    ).json()

    assert len(at["results"]) == 1
    assert after["results"] == []


def test_since_needs_a_utc_offset(api_a):
    response = api_a.get("/api/v1/deletions/", {"since": timezone.now().replace(tzinfo=None)})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"since"}


def test_another_practices_erasures_are_not_listed(api_a, api_b, client_a):
    api_a.delete(f"/api/v1/clients/{client_a.pk}/")

    response = api_b.get("/api/v1/deletions/")

    assert response.json()["results"] == []
