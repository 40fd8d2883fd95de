"""Test data made through the same services as production code, inside a practice scope."""

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from practice import services
from practice.models import Client, Clinician, Practice, Session
from practice.tenancy import practice_scope

_numbers = itertools.count(1)


@dataclass
class PracticeWithKey:
    practice: Practice
    api_key: str


def make_practice(name: str = "Practice", **kwargs) -> PracticeWithKey:
    n = next(_numbers)
    practice, raw_key = services.practice_create(
        name=f"{name} {n}", owner_email=f"owner{n}@example.org", **kwargs
    )
    return PracticeWithKey(practice=practice, api_key=raw_key)


def make_clinician(practice: Practice, **fields) -> Clinician:
    n = next(_numbers)
    fields = {"name": f"Clinician {n}", "email": f"clinician{n}@example.org"} | fields
    with practice_scope(practice):
        return services.clinician_create(**fields)


def make_client(practice: Practice, clinician: Clinician | None = None, **fields) -> Client:
    n = next(_numbers)
    clinician = clinician or make_clinician(practice)
    fields = {
        "name": f"Client {n}",
        "email": f"client{n}@example.org",
        "survey_consent": True,
    } | fields
    with practice_scope(practice):
        return services.client_create(clinician=clinician, **fields)


def make_session(
    practice: Practice, client: Client | None = None, starts_at: datetime | None = None, **fields
) -> Session:
    client = client or make_client(practice)
    starts_at = starts_at or timezone.now() - timedelta(hours=1)
    with practice_scope(practice):
        return services.session_create(client=client, starts_at=starts_at, **fields)
