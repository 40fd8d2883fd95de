"""Writes for practices, members, API keys, clinicians, clients and sessions."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from practice import hooks
from practice.api_keys import forget_recent_api_keys, hash_api_key_secret, new_api_key
from practice.errors import Conflict, InvalidInput
from practice.models import (
    APIKey,
    Client,
    Clinician,
    IdempotencyRecord,
    Membership,
    Practice,
    RecordType,
    Session,
    Tombstone,
)
from practice.tenancy import current_practice, practice_scope
from practice.updates import model_update, save_checked


def api_key_create(*, name: str) -> tuple[APIKey, str]:
    """Create an API key for the practice in scope; the raw key is returned once, never stored."""
    prefix, raw_key = new_api_key()
    api_key = APIKey.objects.create(
        practice=current_practice(),
        name=name,
        prefix=prefix,
        hashed_secret=hash_api_key_secret(raw_key),
    )
    return api_key, raw_key


def api_key_revoke(*, api_key: APIKey) -> None:
    """Revoke a key: at once in this process, within `API_KEY_CACHE_SECONDS` in the others."""
    APIKey.objects.filter(pk=api_key.pk, revoked_at=None).update(revoked_at=timezone.now())
    forget_recent_api_keys()


def api_key_record_use(*, api_key: APIKey, minimum_interval_seconds: int = 60) -> None:
    """Note when a key was last used, writing at most once a minute per key.

    The time is checked on the instance first, so that nearly every request writes nothing;
    the write itself is guarded too, since other processes record uses of the same key.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=minimum_interval_seconds)
    if api_key.last_used_at is not None and api_key.last_used_at >= stale_before:
        return
    APIKey.across_practices_unsafe.filter(pk=api_key.pk).exclude(
        last_used_at__gte=stale_before
    ).update(last_used_at=now)
    api_key.last_used_at = now


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
    with practice_scope(practice):
        member_create(email=owner_email, role=Membership.Role.OWNER)
        _, raw_key = api_key_create(name="Default key")
    return practice, raw_key


PRACTICE_SETTINGS = (
    "name",
    "timezone",
    "brief_hour",
    "alert_url_template",
    "survey_channels",
    "survey_cadence",
    "reply_to_email",
)


def practice_update(*, practice: Practice, **changes) -> Practice:
    """Change the practice's own settings (its slug is the platform admins').

    Other web processes see the change within `API_KEY_CACHE_SECONDS` (they keep the practice
    with its key); this one at once, and workers always read it afresh."""
    practice, _ = model_update(instance=practice, fields=PRACTICE_SETTINGS, data=changes)
    forget_recent_api_keys()
    return practice


def _same_external_id(model, external_id: str | None, exclude_pk=None):
    """Another record of `model` that already carries `external_id`, if any."""
    if external_id is None:
        return None
    return model.objects.filter(external_id=external_id).exclude(pk=exclude_pk).first()


def _require_free_external_id(record) -> None:
    holder = _same_external_id(type(record), record.external_id, exclude_pk=record.pk)
    if holder is not None:
        kind = type(record).__name__.lower()
        raise Conflict(
            f"Another {kind} already has this external id.",
            errors={"external_id": [f"Another {kind} already has this external id."]},
            existing_id=holder.pk,
        )


def _require_free_clinician_fields(clinician: Clinician) -> None:
    _require_free_external_id(clinician)
    holder = (
        Clinician.objects.filter(email__iexact=clinician.email).exclude(pk=clinician.pk).first()
    )
    if holder is not None:
        raise Conflict(
            "A clinician with this email already exists.",
            errors={"email": ["A clinician with this email already exists."]},
            existing_id=holder.pk,
        )


def _require_fields(given: dict, required: tuple[str, ...]) -> None:
    missing = [name for name in required if given.get(name) is None]
    if missing:
        raise InvalidInput({name: ["This field is required."] for name in missing})


def clinician_create(
    *,
    name: str,
    email: str,
    active: bool = True,
    external_id: str | None = None,
    timezone_name: str | None = None,
) -> Clinician:
    practice = current_practice()
    clinician = Clinician(
        practice=practice,
        name=name,
        email=email,
        active=active,
        external_id=external_id,
        timezone=timezone_name or practice.timezone,
    )
    save_checked(clinician, check=_require_free_clinician_fields)
    return clinician


CLINICIAN_UPDATABLE = ("external_id", "name", "email", "active")


def clinician_update(*, clinician: Clinician, **changes) -> Clinician:
    model_update(
        instance=clinician,
        fields=CLINICIAN_UPDATABLE,
        data=changes,
        check=_require_free_clinician_fields,
    )
    return clinician


@transaction.atomic
def clinician_upsert(*, external_id: str, **fields) -> tuple[Clinician, bool]:
    """Create or update the clinician the practice knows as `external_id`; True if created.
    Fields left out keep their value (or their default, for a new clinician)."""
    existing = Clinician.objects.select_for_update().filter(external_id=external_id).first()
    if existing is not None:
        return clinician_update(clinician=existing, **fields), False
    _require_fields(fields, ("name", "email"))
    timezone_name = fields.pop("timezone", None)
    return clinician_create(external_id=external_id, timezone_name=timezone_name, **fields), True


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
    with transaction.atomic():
        tombstones_record(record_type=RecordType.CLINICIAN, record_ids=[clinician.pk])
        clinician.delete()


def _by_reference(model, field: str, record, external_id: str | None):
    """The record named by a related record's id (already resolved) or by its external id."""
    if external_id is None:
        return record
    found = model.objects.filter(external_id=external_id).first()
    if found is None:
        raise InvalidInput(
            {f"{field}_external_id": [f"No {field} has the external id {external_id!r}."]}
        )
    if record is not None and record.pk != found.pk:
        raise InvalidInput(
            {f"{field}_external_id": [f"Names another {field} than `{field}` does."]}
        )
    return found


def _require_active_clinician(clinician: Clinician) -> None:
    if not clinician.active:
        raise InvalidInput({"clinician": ["This clinician is not active."]})


def _new_client(
    *,
    name: str,
    email: str,
    clinician: Clinician,
    survey_consent: bool = False,
    timezone_name: str | None = None,
    language: str = Client.Language.ENGLISH,
    external_id: str | None = None,
    status: str = Client.Status.ACTIVE,
) -> Client:
    """An unsaved client, made by the rules every new client follows."""
    _require_active_clinician(clinician)
    practice = current_practice()
    return Client(
        practice=practice,
        external_id=external_id,
        name=name,
        email=email,
        clinician=clinician,
        survey_consent=survey_consent,
        timezone=timezone_name or practice.timezone,
        language=language,
        status=status,
    )


def client_create(**fields) -> Client:
    """A new client (the fields `_new_client` takes)."""
    client = _new_client(**fields)
    save_checked(client, check=_require_free_external_id, check_first=False)
    return client


def _client_to_create(external_id: str, fields: dict) -> dict:
    """A client put by external id that does not exist yet, as `_new_client`'s arguments."""
    _require_fields(fields, ("name", "email", "clinician"))
    fields = dict(fields)
    return {"external_id": external_id, "timezone_name": fields.pop("timezone", None), **fields}


@transaction.atomic
def clients_create_by_external_id(*, records: dict[str, dict]) -> list[Client]:
    """Create many clients in one insert, each as `client_upsert` would create it (bulk
    imports: `records` maps external ids no client has yet to their fields). An invalid record
    raises its error and creates nothing; a taken external id fails the insert."""
    clients = [_new_client(**_client_to_create(eid, f)) for eid, f in records.items()]
    return Client.objects.bulk_create(clients)


CLIENT_UPDATABLE = (
    "external_id",
    "name",
    "email",
    "clinician",
    "survey_consent",
    "timezone",
    "language",
    "status",
)


@transaction.atomic
def client_update(*, client: Client, **changes) -> Client:
    opted_out_at = _opted_out_at(client) if changes.get("survey_consent") else None
    if opted_out_at is not None:
        # The practice's system may still hold an old "consented"; the client's word stands.
        raise Conflict(
            "The client stopped surveys themselves on "
            f"{opted_out_at:%Y-%m-%d}; only they can start them again, from the link "
            "in any survey email.",
            errors={"survey_consent": ["The client opted out themselves."]},
        )
    new_clinician = changes.get("clinician")
    if new_clinician is not None and new_clinician.pk != client.clinician_id:
        _require_active_clinician(new_clinician)
    returning = (
        client.status == Client.Status.DISCHARGED and changes.get("status") == Client.Status.ACTIVE
    )
    model_update(
        instance=client,
        fields=CLIENT_UPDATABLE,
        data=changes,
        check=_require_free_external_id,
    )
    if returning:
        # A client back after discharge starts a new episode: a new baseline.
        client_start_new_episode(client=client)
    return client


def _opted_out_at(client: Client):
    """When the client stopped surveys themselves, read under a lock so that an opt-out
    committing meanwhile is seen."""
    return (
        Client.objects.select_for_update().values_list("opted_out_at", flat=True).get(pk=client.pk)
    )


def client_start_new_episode(*, client: Client) -> Client:
    """The client's baseline starts again: earlier answers no longer count toward drops."""
    model_update(
        instance=client, fields=("episode_started_at",), data={"episode_started_at": timezone.now()}
    )
    return client


@transaction.atomic
def client_upsert(
    *,
    external_id: str,
    clinician: Clinician | None = None,
    clinician_external_id: str | None = None,
    **fields,
) -> tuple[Client, bool]:
    """Create or update the client the practice knows as `external_id`; True if created.
    The clinician is named by id or by external id; fields left out keep their value."""
    clinician = _by_reference(Clinician, "clinician", clinician, clinician_external_id)
    if clinician is not None:
        fields["clinician"] = clinician
    existing = Client.objects.select_for_update().filter(external_id=external_id).first()
    if existing is not None:
        return client_update(client=existing, **fields), False
    return client_create(**_client_to_create(external_id, fields)), True


@transaction.atomic
def client_delete(*, client: Client) -> None:
    """Erase a client and everything recorded about them: their sessions, surveys, answers
    and alerts go with them, and so do messages to them and stored replies that named them.
    Tombstones tell the practice's systems which records went."""
    hooks.client_erasing.run(client=client)
    IdempotencyRecord.objects.filter(response_body__id=str(client.pk)).delete()
    tombstones_record(
        record_type=RecordType.SESSION,
        record_ids=list(client.sessions.values_list("pk", flat=True)),
    )
    tombstones_record(record_type=RecordType.CLIENT, record_ids=[client.pk])
    client.delete()


def tombstones_record(*, record_type: str, record_ids: list) -> None:
    practice = current_practice()
    Tombstone.objects.bulk_create(
        Tombstone(practice=practice, record_type=record_type, record_id=record_id)
        for record_id in record_ids
    )


def _new_session(
    *,
    client: Client,
    starts_at: datetime,
    sequence: int,
    clinician: Clinician | None = None,
    duration_minutes: int = 50,
    external_id: str | None = None,
    status: str = Session.Status.SCHEDULED,
    completed_at: datetime | None = None,
) -> Session:
    """An unsaved session, made by the rules every new session follows. One recorded as
    already completed is history: nothing is planned for it."""
    _require_completed_at_only_when_completed(status, completed_at)
    if status == Session.Status.COMPLETED and completed_at is None:
        completed_at = starts_at + timedelta(minutes=duration_minutes)
    return Session(
        practice=current_practice(),
        external_id=external_id,
        client=client,
        clinician_id=clinician.pk if clinician else client.clinician_id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        status=status,
        completed_at=completed_at,
        sequence=sequence,
    )


def _book(bookings: list[dict]) -> list[Session]:
    """Unsaved sessions numbered after each client's last one. The clients are locked first,
    so that sessions booked at once never get the same number."""
    client_ids = sorted({booking["client"].pk for booking in bookings})
    clients = Client.objects.select_for_update().filter(pk__in=client_ids).order_by("pk")
    locked = {client.pk: client for client in clients}
    last = dict(
        Session.objects.filter(client_id__in=client_ids)
        .values("client_id")
        .annotate(last=Max("sequence"))
        .values_list("client_id", "last")
    )
    sessions = []
    for booking in bookings:
        client = locked[booking["client"].pk]
        last[client.pk] = last.get(client.pk, 0) + 1
        sessions.append(_new_session(**{**booking, "client": client}, sequence=last[client.pk]))
    return sessions


@transaction.atomic
def session_create(**booking) -> Session:
    """Book a session, or record one from the past in its final state (the fields
    `_new_session` takes, but its number)."""
    (session,) = _book([booking])
    save_checked(session, check=_require_free_external_id, check_first=False)
    return session


def _session_to_create(external_id: str, fields: dict) -> dict:
    """A session put by external id that does not exist yet, as `_new_session`'s arguments."""
    _require_fields(fields, ("client", "starts_at"))
    return {"external_id": external_id, **fields}


@transaction.atomic
def sessions_create_by_external_id(*, records: dict[str, dict]) -> list[Session]:
    """Create many sessions in one insert, each as `session_upsert` would create it (bulk
    imports: `records` maps external ids no session has yet to their fields). An invalid
    record raises its error and creates nothing; a taken external id fails the insert."""
    bookings = [_session_to_create(eid, fields) for eid, fields in records.items()]
    return Session.objects.bulk_create(_book(bookings))


def _require_completed_at_only_when_completed(status: str, completed_at) -> None:
    if completed_at is not None and status != Session.Status.COMPLETED:
        raise InvalidInput({"completed_at": ["Only a completed session has a completion time."]})


SESSION_UPDATABLE = ("external_id", "clinician", "starts_at", "duration_minutes")


def session_update(*, session: Session, **changes) -> Session:
    """Move a session in time or to another clinician. Its status changes only through the
    transitions, as a compare-and-swap that this write cannot undo."""
    model_update(
        instance=session,
        fields=SESSION_UPDATABLE,
        data=changes,
        check=_require_free_external_id,
    )
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
def session_complete(*, session: Session, as_history: bool = False) -> tuple[Session, bool]:
    """Mark the session completed and, the first time only, run the `session_completed` hook
    (which plans its survey). `as_history`: the completion is the practice's own record of the
    past, arriving in bulk; it is recorded and nothing is planned for it."""
    session, changed = _session_transition(
        session=session, to_status=Session.Status.COMPLETED, completed_at=timezone.now()
    )
    if changed and not as_history:
        hooks.session_completed.run(session=session)
    return session, changed


def session_cancel(*, session: Session) -> tuple[Session, bool]:
    return _session_transition(session=session, to_status=Session.Status.CANCELLED)


def session_mark_no_show(*, session: Session) -> tuple[Session, bool]:
    return _session_transition(session=session, to_status=Session.Status.NO_SHOW)


def _session_back_to_scheduled(*, session: Session) -> tuple[Session, bool]:
    raise Conflict(
        f"This session is {session.get_status_display().lower()}; it cannot be scheduled again."
    )


_TRANSITIONS = {
    Session.Status.SCHEDULED: _session_back_to_scheduled,
    Session.Status.CANCELLED: session_cancel,
    Session.Status.NO_SHOW: session_mark_no_show,
}


@transaction.atomic
def session_upsert(
    *,
    external_id: str,
    client: Client | None = None,
    client_external_id: str | None = None,
    clinician: Clinician | None = None,
    clinician_external_id: str | None = None,
    status: str | None = None,
    completed_at: datetime | None = None,
    as_history: bool = False,
    **fields,
) -> tuple[Session, bool]:
    """Create or update the session the practice knows as `external_id`; True if created.

    A session that arrives already completed is history and plans no survey; a known
    scheduled session that arrives completed has just been completed, as with `complete/`,
    and plans its survey, unless `as_history` (an import: history in bulk, never surveyed).
    """
    client = _by_reference(Client, "client", client, client_external_id)
    clinician = _by_reference(Clinician, "clinician", clinician, clinician_external_id)
    if clinician is not None:
        fields["clinician"] = clinician
    existing = Session.objects.select_for_update().filter(external_id=external_id).first()
    if existing is None:
        fields |= {"client": client, "completed_at": completed_at}
        fields["status"] = status or Session.Status.SCHEDULED
        return session_create(**_session_to_create(external_id, fields)), True
    if client is not None and client.pk != existing.client_id:
        raise InvalidInput({"client": ["A session cannot move to another client."]})
    session = session_update(session=existing, **fields)
    if status == Session.Status.COMPLETED and session.status != status:
        session, _ = session_complete(session=session, as_history=as_history)
    elif status is not None and status != session.status:
        session, _ = _TRANSITIONS[status](session=session)
    if completed_at is not None:
        _require_completed_at_only_when_completed(session.status, completed_at)
        model_update(
            instance=session, fields=("completed_at",), data={"completed_at": completed_at}
        )
    return session, False


# Members


MEMBER_FIELDS = ("email", "role", "clinician", "active")


def member_check(member: Membership) -> None:
    """A member's address is unique in its practice, and a clinician member is a clinician."""
    if member.role == Membership.Role.CLINICIAN and member.clinician_id is None:
        raise InvalidInput({"clinician": ["A member with the clinician role needs its clinician."]})
    others = Membership.objects.exclude(pk=member.pk)
    if others.filter(email__iexact=member.email).exists():
        raise InvalidInput({"email": ["This address is already a member of this practice."]})
    if member.clinician_id is not None and others.filter(clinician=member.clinician_id).exists():
        raise InvalidInput({"clinician": ["Another member is already this clinician."]})


def _keep_an_owner(*, leaving: Membership) -> None:
    """A practice always keeps one active owner, who can manage the others."""
    was_active_owner = Membership.objects.filter(
        pk=leaving.pk, role=Membership.Role.OWNER, active=True
    ).exists()
    if was_active_owner and not (
        Membership.objects.filter(role=Membership.Role.OWNER, active=True)
        .exclude(pk=leaving.pk)
        .exists()
    ):
        raise Conflict("This is the practice's only active owner. Make another owner first.")


def member_create(
    *, email: str, role: str, clinician: Clinician | None = None, active: bool = True
) -> Membership:
    member = Membership(
        practice=current_practice(),
        email=email.strip().lower(),
        role=role,
        clinician=clinician,
        active=active,
    )
    try:
        member.full_clean(exclude=["practice", "clinician"], validate_constraints=False)
    except DjangoValidationError as error:
        raise InvalidInput(error.message_dict) from error
    save_checked(member, check=member_check)
    return member


@transaction.atomic
def member_update(*, member: Membership, **changes) -> Membership:
    """Change a member's address, role, clinician or active flag. A member deactivated or
    removed needs nothing more to be signed out: every page loads the membership again."""
    member = Membership.objects.select_for_update().get(pk=member.pk)
    staying_owner = changes.get("role", member.role) == Membership.Role.OWNER
    if not staying_owner or changes.get("active", member.active) is False:
        _keep_an_owner(leaving=member)
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
    member, _ = model_update(
        instance=member, fields=MEMBER_FIELDS, data=changes, check=member_check
    )
    return member


@transaction.atomic
def member_delete(*, member: Membership) -> None:
    """Remove a member: their sign-in links go with them, and their next request is signed out."""
    _keep_an_owner(leaving=member)
    member.delete()
