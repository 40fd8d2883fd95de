"""A repeat is recognised by its parsed JSON: spacing and key order do not make it another."""

import pytest

from practice.models import Clinician

pytestmark = pytest.mark.django_db


def test_the_same_json_spaced_and_ordered_otherwise_is_replayed(api_a):
    first = api_a.post(
        "/api/v1/clinicians/",
        '{"name":"Dr. Once","email":"once@example.org"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    repeat = api_a.post(
        "/api/v1/clinicians/",
        '{\n  "email": "once@example.org",\n  "name": "Dr. Once"\n}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert repeat.status_code == 201
    assert repeat.json() == first.json()
    assert Clinician.across_practices_unsafe.count() == 1
