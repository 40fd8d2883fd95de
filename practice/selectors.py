"""Reads for practices, API keys, clinicians, clients and sessions."""

from django.db.models import QuerySet

from practice.api_keys import hash_api_key_secret
from practice.models import APIKey, BulkImport, Client, Clinician, Session, Tombstone


def api_key_for_raw_key(raw_key: str) -> APIKey | None:
    """The active key matching `raw_key`, with its practice; None for unknown or revoked keys.

    This is how a request's practice is found, so it necessarily looks across practices.
    """
    return (
        APIKey.across_practices_unsafe.select_related("practice")
        .filter(hashed_secret=hash_api_key_secret(raw_key), revoked_at=None)
        .first()
    )


def clinician_list() -> QuerySet[Clinician]:
    return Clinician.objects.all()


def client_list() -> QuerySet[Client]:
    return Client.objects.all()


def session_list() -> QuerySet[Session]:
    return Session.objects.all()


def tombstone_list() -> QuerySet[Tombstone]:
    return Tombstone.objects.all()


def bulk_import_list() -> QuerySet[BulkImport]:
    return BulkImport.objects.all()
