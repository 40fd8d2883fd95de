"""A keyed POST's write and its stored response commit together: after a fault between them,
a retry never creates a second record."""

import pytest
import time_machine
from django.db import OperationalError

from practice import api_base
from practice.models import Clinician

pytestmark = pytest.mark.django_db

NEW_CLINICIAN = {"name": "Dr. Once", "email": "once@example.org"}


def _post(api):
    return api.post("/api/v1/clinicians/", NEW_CLINICIAN, format="json", HTTP_IDEMPOTENCY_KEY="k")


def test_a_fault_while_storing_the_response_leaves_no_write_to_duplicate(api_a, monkeypatch):
    stored = api_base.idempotency_store

    def fail_once(**kwargs):
        monkeypatch.setattr(api_base, "idempotency_store", stored)
        raise OperationalError("the connection was lost")

    monkeypatch.setattr(api_base, "idempotency_store", fail_once)
    with time_machine.travel("2026-05-04T10:00:00Z", tick=False):
        failed = _post(api_a)
    with time_machine.travel("2026-05-04T10:05:00Z", tick=False):
        retried = _post(api_a)

    assert failed.status_code == 503
    assert retried.status_code == 201
    assert Clinician.across_practices_unsafe.count() == 1
