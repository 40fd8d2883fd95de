"""Reads for practices, members, API keys, clinicians, clients and sessions."""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from practice.api_keys import hash_api_key_secret
from practice.models import (
    APIKey,
    BulkImport,
    Client,
    Clinician,
    Membership,
    Session,
    Tombstone,
)


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


def member_list() -> QuerySet[Membership]:
    return Membership.objects.select_related("clinician").order_by("email")


# What a signed-in member sees: a clinician their own clients and sessions, owners and admins
# the whole practice.


def member_timezone(member: Membership) -> zoneinfo.ZoneInfo:
    """The member's day: their clinician's time zone, else the practice's."""
    name = member.clinician.timezone if member.clinician_id else member.practice.timezone
    return zoneinfo.ZoneInfo(name)


def member_today(member: Membership) -> date:
    return timezone.localdate(timezone=member_timezone(member))


def clients_for_member(member: Membership) -> QuerySet[Client]:
    clients = Client.objects.select_related("clinician")
    if member.sees_whole_practice:
        return clients
    return clients.filter(clinician_id=member.clinician_id)


def client_for_member(member: Membership, client_id) -> Client | None:
    """The client, if this member may see them; None for anyone else's, as for an unknown id."""
    return clients_for_member(member).filter(pk=client_id).first()


def sessions_on_day(day: date, tz: zoneinfo.ZoneInfo) -> QuerySet[Session]:
    """Sessions that start on `day` in time zone `tz`."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    return Session.objects.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))


def sessions_for_member(member: Membership) -> QuerySet[Session]:
    sessions = Session.objects.select_related("client")
    if member.sees_whole_practice:
        return sessions
    return sessions.filter(clinician_id=member.clinician_id)
