"""Writes for practices, staff, API keys, clinicians, clients and sessions."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from alliance.services import invitation_plan_for_session
from notifications.services import messages_erase_for_client
from practice.errors import Conflict, InvalidInput
from practice.models import (
    APIKey,
    Client,
    Clinician,
    IdempotencyRecord,
    Membership,
    Practice,
    Session,
)
from practice.tenancy import current_practice, practice_scope

API_KEY_TAG = "alk"


def hash_api_key_secret(raw_key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(*, name: str) -> tuple[APIKey, str]:
    """Create an API key for the practice in scope; the raw key is returned once, never stored."""
    prefix = secrets.token_hex(4)
    raw_key = f"{API_KEY_TAG}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = APIKey.objects.create(
        practice=current_practice(),
        name=name,
        prefix=f"{API_KEY_TAG}_{prefix}",
        hashed_secret=hash_api_key_secret(raw_key),
    )
    return api_key, raw_key


def api_key_revoke(*, api_key: APIKey) -> None:
    APIKey.objects.filter(pk=api_key.pk, revoked_at=None).update(revoked_at=timezone.now())


def api_key_record_use(*, api_key: APIKey, minimum_interval_seconds: int = 60) -> None:
    """Note when a key was last used, writing at most once a minute per key."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=minimum_interval_seconds)
    APIKey.across_practices_unsafe.filter(pk=api_key.pk).exclude(
        last_used_at__gte=stale_before
    ).update(last_used_at=now)


def idempotency_records_prune(*, older_than: timedelta = timedelta(hours=24)) -> int:
    """Forget stored responses to idempotent POSTs once clients have stopped retrying.

    Every practice's, by age alone: the rows' content is never read here.
    """
    deleted, _ = IdempotencyRecord.across_practices_unsafe.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


def _unique_practice_slug(name: str) -> str:
    base = slugify(name)[:60] or "practice"
    slug, n = base, 1
    while Practice.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def practice_create(
    *, name: str, owner_email: str, slug: str | None = None, timezone_name: str = "UTC"
) -> tuple[Practice, str]:
    """Create a practice with its owner and a first API key; returns the practice and raw key."""
    practice = Practice(name=name, slug=slug or _unique_practice_slug(name), timezone=timezone_name)
    practice.full_clean()
    practice.save()
    user_model = get_user_model()
    owner, _ = user_model.objects.get_or_create(
        username=owner_email.lower(), defaults={"email": owner_email.lower()}
    )
    with practice_scope(practice):
        Membership.objects.create(practice=practice, user=owner, role=Membership.Role.OWNER)
        _, raw_key = api_key_create(name="Default key")
    return practice, raw_key


def _email_taken_by_another_clinician(email: str, exclude: Clinician | None = None) -> bool:
    clinicians = Clinician.objects.filter(email__iexact=email)
    if exclude is not None:
        clinicians = clinicians.exclude(pk=exclude.pk)
    return clinicians.exists()


def _save_clinician(clinician: Clinician) -> Clinician:
    if _email_taken_by_another_clinician(clinician.email, exclude=clinician):
        raise InvalidInput({"email": ["A clinician with this email already exists."]})
    try:
        with transaction.atomic():
            clinician.save()
    except IntegrityError as error:
        raise InvalidInput({"email": ["A clinician with this email already exists."]}) from error
    return clinician


def clinician_create(*, name: str, email: str, active: bool = True) -> Clinician:
    clinician = Clinician(practice=current_practice(), name=name, email=email, active=active)
    return _save_clinician(clinician)


def clinician_update(*, clinician: Clinician, **changes) -> Clinician:
    for field, value in changes.items():
        setattr(clinician, field, value)
    return _save_clinician(clinician)


def clinician_delete(*, clinician: Clinician) -> None:
    """Delete a clinician who has no clients and no sessions; others are deactivated instead."""
    if clinician.clients.exists():
        raise Conflict(
            "This clinician still has clients. Assign them to another clinician first, "
            "or set `active` to false."
        )
    if clinician.sessions.exists():
        raise Conflict(
            "This clinician has session history, which is kept. Set `active` to false instead."
        )
    clinician.delete()


def _require_active_clinician(clinician: Clinician) -> None:
    if not clinician.active:
        raise InvalidInput({"clinician": ["This clinician is not active."]})


def client_create(
    *,
    name: str,
    email: str,
    clinician: Clinician,
    survey_consent: bool = False,
    timezone_name: str | None = None,
    language: str = Client.Language.ENGLISH,
) -> Client:
    _require_active_clinician(clinician)
    practice = current_practice()
    return Client.objects.create(
        practice=practice,
        name=name,
        email=email,
        clinician=clinician,
        survey_consent=survey_consent,
        timezone=timezone_name or practice.timezone,
        language=language,
    )


def client_update(*, client: Client, **changes) -> Client:
    new_clinician = changes.get("clinician")
    if new_clinician is not None and new_clinician.pk != client.clinician_id:
        _require_active_clinician(new_clinician)
    returning = (
        client.status == Client.Status.DISCHARGED and changes.get("status") == Client.Status.ACTIVE
    )
    if returning:
        # A client back after discharge starts a new episode: a new baseline.
        changes["episode_started_at"] = timezone.now()
    for field, value in changes.items():
        setattr(client, field, value)
    client.save()
    return client


@transaction.atomic
def client_delete(*, client: Client) -> None:
    """Erase a client and everything recorded about them: their sessions, surveys, answers
    and alerts go with them, and so do messages to them and stored replies that named them."""
    messages_erase_for_client(client=client)
    IdempotencyRecord.objects.filter(response_body__id=str(client.pk)).delete()
    client.delete()


@transaction.atomic
def session_create(
    *,
    client: Client,
    starts_at: datetime,
    clinician: Clinician | None = None,
    duration_minutes: int = 50,
) -> Session:
    # Lock the client so that two sessions booked at once get different sequence numbers.
    locked_client = Client.objects.select_for_update().get(pk=client.pk)
    last = locked_client.sessions.order_by("-sequence").values_list("sequence", flat=True).first()
    return Session.objects.create(
        practice=current_practice(),
        client=locked_client,
        clinician=clinician or locked_client.clinician,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        sequence=(last or 0) + 1,
    )


def session_update(*, session: Session, **changes) -> Session:
    for field, value in changes.items():
        setattr(session, field, value)
    session.save()
    return session


def _session_transition(
    *, session: Session, to_status: str, **extra_fields
) -> tuple[Session, bool]:
    """Move a scheduled session to `to_status` as a compare-and-swap.

    Returns the session and whether this call made the change. Repeating a transition already
    made is not an error; moving a session out of another final state is.
    """
    changed = Session.objects.filter(pk=session.pk, status=Session.Status.SCHEDULED).update(
        status=to_status, updated_at=timezone.now(), **extra_fields
    )
    session.refresh_from_db()
    if not changed and session.status != to_status:
        raise Conflict(
            f"This session is {session.get_status_display().lower()}; "
            f"it cannot also be marked {Session.Status(to_status).label.lower()}."
        )
    return session, bool(changed)


@transaction.atomic
def session_complete(*, session: Session) -> tuple[Session, bool]:
    """Mark the session completed and, the first time only, plan its survey."""
    session, changed = _session_transition(
        session=session, to_status=Session.Status.COMPLETED, completed_at=timezone.now()
    )
    if changed:
        invitation_plan_for_session(session=session)
    return session, changed


def session_cancel(*, session: Session) -> tuple[Session, bool]:
    return _session_transition(session=session, to_status=Session.Status.CANCELLED)


def session_mark_no_show(*, session: Session) -> tuple[Session, bool]:
    return _session_transition(session=session, to_status=Session.Status.NO_SHOW)
