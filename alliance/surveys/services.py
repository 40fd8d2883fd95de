"""Writes for survey policy, instruments, invitations and responses.

A survey's life: `invitation_plan_for_session` (when a session is completed, in the same
transaction) or `invitations_plan_by_weeks` (the time-based cadence, from beat) →
`invitation_send` (when due; by email and/or a `survey.ready` webhook, through the outbox) →
`invitation_open` (the client opens the link) → `response_submit` (the client answers), or
`invitation_expire`, or `invitation_fail_delivery` (its delivery failed for good). In the room,
`invitation_link_for_session` skips the planning: a short-lived link to answer at once.
"""

import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.models import (
    Instrument,
    SurveyInvitation,
    SurveyLink,
    SurveyPolicy,
    SurveyResponse,
)
from alliance.surveys import bounds, selectors
from alliance.surveys.builtin_instruments import DEFAULT_INSTRUMENT_CODE
from alliance.surveys.scoring import clean_answers, score
from notifications.models import OutboxMessage, WebhookEndpoint
from notifications.services import (
    client_recipient,
    outbox_enqueue,
    webhook_event_enqueue,
    webhook_event_enqueue_rendered_at_delivery,
    webhook_event_is_wanted,
)
from practice.bounds import bound_problems
from practice.errors import Conflict, InvalidInput
from practice.models import Client, Practice, Session, SurveyChannel
from practice.tasking import enqueue_on_commit
from practice.tenancy import current_practice
from practice.tokens import hash_token, new_token
from practice.updates import model_update

Status = SurveyInvitation.Status
Channel = SurveyInvitation.Channel
Event = WebhookEndpoint.Event


class SurveyClosed(Exception):
    """The invitation can no longer be answered; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Survey policy

SURVEY_POLICY_UPDATABLE = (
    *bounds.SURVEY_POLICY,
    "instrument_code",
    "quiet_hours_start",
    "quiet_hours_end",
)


@transaction.atomic
def survey_policy_update(**changes) -> SurveyPolicy:
    """Change the practice's survey policy: each setting within its bounds
    (`alliance.surveys.bounds`), quiet hours both set or neither, the reminder before the link
    expires."""
    errors = bound_problems(
        bounds.SURVEY_POLICY, {k: v for k, v in changes.items() if k in bounds.SURVEY_POLICY}
    )
    code = changes.get("instrument_code")
    if "instrument_code" in changes and selectors.instrument_current(code) is None:
        errors["instrument"] = [f"No instrument with code {code!r}."]
    if errors:
        raise InvalidInput(errors)
    SurveyPolicy.objects.get_or_create(practice=current_practice())
    # Locked, so that the rule across settings holds against a concurrent change of another.
    policy = SurveyPolicy.objects.select_for_update().get()
    model_update(
        instance=policy,
        fields=SURVEY_POLICY_UPDATABLE,
        data=changes,
        check=_require_consistent_policy,
    )
    return policy


def _require_consistent_policy(policy: SurveyPolicy) -> None:
    start, end = policy.quiet_hours_start, policy.quiet_hours_end
    if (start is None) != (end is None):
        raise InvalidInput({"quiet_hours": ["Give both start and end, or null for none."]})
    if start is not None and start == end:
        raise InvalidInput({"quiet_hours": ["Start and end must differ; use null for none."]})
    reminder = policy.reminder_after_hours
    if reminder is not None and reminder >= policy.expires_after_hours:
        raise InvalidInput(
            {"reminder_after_hours": ["The reminder must come before the link expires."]}
        )


# Instruments

INSTRUMENT_UPDATABLE = ("name", "items", "scoring", *bounds.INSTRUMENT_NORMS)


def instrument_create(*, code: str, name: str, items: list, scoring: dict, **norms) -> Instrument:
    """Add a practice's own instrument. Its code may be a built-in one's (a licensed wording
    of it), never one of the practice's own instruments (change that one instead)."""
    problems = bound_problems({"code": bounds.INSTRUMENT_CODE}, {"code": code})
    existing = selectors.instrument_current(code) if not problems else None
    if existing is not None and not existing.is_built_in:
        problems["code"] = ["This code is taken; PATCH the instrument for a new version."]
    if problems:
        raise InvalidInput(problems)
    return _instrument_new_version(code=code, name=name, items=items, scoring=scoring, **norms)


def _instrument_new_version(*, code: str, **fields) -> Instrument:
    """A practice's instrument `code`, as a new current version (the first, if it is new)."""
    fields = _checked_instrument(fields)
    practice = current_practice()
    with transaction.atomic():
        previous = (
            Instrument.objects.select_for_update()
            .filter(practice=practice, code=code)
            .order_by("-version")
            .first()
        )
        if previous is not None:
            Instrument.objects.filter(practice=practice, code=code).update(is_current=False)
        return Instrument.objects.create(
            practice=practice,
            code=code,
            version=previous.version + 1 if previous else 1,
            **fields,
        )


def instrument_update(*, instrument: Instrument, **changes) -> Instrument:
    """Change a practice's own instrument: in place until it has answers, then as a new version."""
    if instrument.is_built_in:
        raise Conflict("Built-in instruments cannot be changed; create one of your own.")
    fields = {name: getattr(instrument, name) for name in INSTRUMENT_UPDATABLE}
    if SurveyResponse.objects.filter(instrument=instrument).exists() or (
        SurveyInvitation.objects.filter(instrument=instrument).exists()
    ):
        return _instrument_new_version(code=instrument.code, **(fields | changes))
    checked = _checked_instrument(fields | changes)
    model_update(
        instance=instrument,
        fields=INSTRUMENT_UPDATABLE,
        data={name: checked[name] for name in changes},
    )
    return instrument


def _checked_instrument(fields: dict) -> dict:
    """An instrument's parts as stored (whole numbers as such), or `InvalidInput` naming what
    breaks the rules of `alliance.surveys.bounds`: the survey page, scoring and alert rules
    rely on every one of them."""
    unknown = set(fields) - set(INSTRUMENT_UPDATABLE)
    if unknown:
        raise InvalidInput({name: ["Unknown field."] for name in sorted(unknown)})
    norms = {name: fields.get(name) for name in bounds.INSTRUMENT_NORMS}
    errors = bound_problems(bounds.INSTRUMENT_NORMS, norms)
    errors |= bound_problems({"name": bounds.INSTRUMENT_NAME}, {"name": fields.get("name")})
    items, item_errors = _checked_items(fields.get("items"))
    if item_errors:
        errors["items"] = item_errors
    scoring_errors = _scoring_problems(fields.get("scoring"), [item["code"] for item in items])
    if scoring_errors:
        errors["scoring"] = scoring_errors
    if errors:
        raise InvalidInput(errors)
    return fields | {"items": items} | {k: _whole_if_whole(v) for k, v in norms.items()}


def _whole_if_whole(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _checked_items(items) -> tuple[list[dict], list[str]]:
    if not isinstance(items, list) or not items:
        return [], ["An instrument needs items."]
    if len(items) > bounds.MAX_ITEMS:
        return [], [f"An instrument has at most {bounds.MAX_ITEMS} items."]
    errors = [problem for n, item in enumerate(items) for problem in _item_problems(n, item)]
    codes = [item.get("code") for item in items if isinstance(item, dict)]
    if len(set(codes)) != len(codes):
        errors.append("Item codes must be unique.")
    if errors:
        return [], errors
    return [{k: _whole_if_whole(v) for k, v in item.items()} for item in items], []


def _item_problems(index: int, item) -> list[str]:
    where = f"items[{index}]"
    if not isinstance(item, dict):
        return [f"{where}: must be an object."]
    missing = [
        f"{where}.{name}: This field is required."
        for name in bounds.ITEM_REQUIRED
        if name not in item
    ]
    fields = {k: v for k, v in item.items() if k != "translations"}
    problems = missing + [
        f"{name}: {message}"
        for name, messages in bound_problems(bounds.ITEM, fields, prefix=f"{where}.").items()
        for message in messages
    ]
    if "translations" in item:
        problems += _translation_problems(where, item["translations"])
    if problems:
        return problems
    low, high, step = (Decimal(str(item[name])) for name in ("min", "max", "step"))
    if low >= high:
        return [f"{where}: min must be below max."]
    steps = (high - low) / step
    if steps != steps.to_integral_value():
        return [f"{where}: the range must be a whole number of steps."]
    if steps > bounds.MAX_STEPS_PER_ITEM:
        return [f"{where}: at most {bounds.MAX_STEPS_PER_ITEM} steps from min to max."]
    return []


def _translation_problems(where: str, translations) -> list[str]:
    if not isinstance(translations, dict):
        return [f"{where}.translations: must map a language to its words."]
    problems = []
    for language, words in translations.items():
        at = f"{where}.translations.{language}"
        if language not in bounds.LANGUAGES:
            problems.append(f"{at}: not a language surveys speak ({', '.join(bounds.LANGUAGES)}).")
        elif not isinstance(words, dict):
            problems.append(f"{at}: must be an object of text, min_label and max_label.")
        else:
            problems += [
                f"{name}: {message}"
                for name, messages in bound_problems(
                    bounds.ITEM_TRANSLATION, words, prefix=f"{at}."
                ).items()
                for message in messages
            ]
    return problems


def _scoring_problems(scoring, item_codes: list[str]) -> list[str]:
    if not isinstance(scoring, dict) or set(scoring) - {"method", "subscales"}:
        return ['Give {"method": "sum" | "mean", "subscales": {name: [item codes]}}.']
    problem = bounds.SCORING_METHOD.problem(scoring.get("method"))
    if problem:
        return [f"method: {problem}"]
    subscales = scoring.get("subscales", {})
    if not isinstance(subscales, dict) or not all(
        isinstance(codes, list) and codes for codes in subscales.values()
    ):
        return ["subscales: map each name to a list of item codes."]
    unknown = {code for codes in subscales.values() for code in codes} - set(item_codes)
    if unknown:
        return [f"Subscales name unknown items: {', '.join(sorted(map(str, unknown)))}."]
    return []


# Planning


def next_send_time_outside_quiet_hours(
    moment: datetime, timezone_name: str, quiet_start: time | None, quiet_end: time | None
) -> datetime:
    """`moment`, or the end of the client's quiet hours when it falls inside them.

    Quiet hours are local wall-clock times and may cross midnight (21:00 to 08:00).
    """
    if quiet_start is None or quiet_end is None or quiet_start == quiet_end:
        return moment
    zone = zoneinfo.ZoneInfo(timezone_name)
    local = moment.astimezone(zone)
    now = local.time()
    crosses_midnight = quiet_start > quiet_end
    if crosses_midnight:
        quiet = now >= quiet_start or now < quiet_end
        end_day = local.date() + timedelta(days=1) if now >= quiet_start else local.date()
    else:
        quiet = quiet_start <= now < quiet_end
        end_day = local.date()
    if not quiet:
        return moment
    # Through UTC, so that a wall-clock time made ambiguous by a clock change resolves.
    return datetime.combine(end_day, quiet_end, tzinfo=zone).astimezone(zoneinfo.ZoneInfo("UTC"))


def _is_nth_completed_session(session: Session, every_nth: int) -> bool:
    completed_so_far = Session.objects.filter(
        client_id=session.client_id,
        status=Session.Status.COMPLETED,
        completed_at__lte=session.completed_at,
    ).count()
    return completed_so_far % every_nth == 0


def invitation_plan_for_session(*, session: Session) -> SurveyInvitation | None:
    """Plan the survey that the practice's policy asks for after `session`, if any.

    Called in the transaction that completes the session, once per session. The client's row
    stays locked until that transaction ends, so that sessions of one client completed at the
    same moment are planned one after another, each seeing the invitations planned before it
    (`min_days_between`).
    """
    client = Client.objects.select_for_update().get(pk=session.client_id)
    if (
        not _may_survey(client)
        or current_practice().survey_cadence != Practice.SurveyCadence.SESSIONS
    ):
        return None
    if SurveyInvitation.objects.filter(session=session).exists():
        return None  # answered in the room already
    policy = selectors.survey_policy()
    if not _is_nth_completed_session(session, policy.every_nth_session):
        return None
    send_at = next_send_time_outside_quiet_hours(
        session.completed_at + timedelta(minutes=policy.send_delay_minutes),
        client.timezone,
        policy.quiet_hours_start,
        policy.quiet_hours_end,
    )
    if policy.min_days_between and (
        SurveyInvitation.objects.filter(
            client=client, send_at__gt=send_at - timedelta(days=policy.min_days_between)
        )
        .exclude(status=Status.CANCELLED)
        .exists()
    ):
        return None
    return _invitation_plan(client=client, session=session, send_at=send_at, policy=policy)


def _may_survey(client: Client) -> bool:
    return client.survey_consent and client.status == Client.Status.ACTIVE


def _policy_instrument(policy: SurveyPolicy) -> Instrument:
    return selectors.instrument_current(policy.instrument_code) or (
        selectors.instrument_current(DEFAULT_INSTRUMENT_CODE)
    )


def _invitation_plan(
    *, client: Client, session: Session | None, send_at: datetime, policy: SurveyPolicy
) -> SurveyInvitation:
    invitation = SurveyInvitation.objects.create(
        practice=current_practice(),
        client=client,
        session=session,
        instrument=_policy_instrument(policy),
        send_at=send_at,
    )
    if send_at <= timezone.now():
        # With the broker down the invitation stays planned; beat's scan sends it later.
        enqueue_on_commit(
            "alliance.tasks.send_survey_invitation", invitation.practice_id, invitation.pk
        )
    return invitation


def invitations_plan_by_weeks(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Under the practice's time-based cadence, plan a survey for every active, consenting
    client who has had none for `every_n_weeks` weeks, sessions or not. Returns how many.

    Such a survey belongs to no session. Quiet hours, reminders and expiry are the policy's,
    as for surveys after sessions. Run by beat; a repeat plans nothing more.
    """
    if current_practice().survey_cadence != Practice.SurveyCadence.WEEKS:
        return 0
    now = now or timezone.now()
    policy = selectors.survey_policy()
    recent = SurveyInvitation.objects.filter(
        client_id=OuterRef("pk"),
        send_at__gt=now - timedelta(weeks=policy.every_n_weeks),
    ).exclude(status=Status.CANCELLED)
    due = (
        Client.objects.filter(survey_consent=True, status=Client.Status.ACTIVE)
        .exclude(Exists(recent))
        .order_by("pk")[:batch_size]
    )
    planned = 0
    for client in due:
        with transaction.atomic():
            # Locked, so that two overlapping runs cannot both plan for one client.
            locked = Client.objects.select_for_update().get(pk=client.pk)
            if (
                SurveyInvitation.objects.filter(
                    client=locked, send_at__gt=now - timedelta(weeks=policy.every_n_weeks)
                )
                .exclude(status=Status.CANCELLED)
                .exists()
            ):
                continue
            send_at = next_send_time_outside_quiet_hours(
                now, locked.timezone, policy.quiet_hours_start, policy.quiet_hours_end
            )
            _invitation_plan(client=locked, session=None, send_at=send_at, policy=policy)
            planned += 1
    return planned


# Sending


def invitation_send(*, invitation_id) -> bool:
    """Send a planned invitation that is due, through the outbox; returns whether it did."""
    now = timezone.now()
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update(of=("self",))
            .select_related("client")
            .filter(pk=invitation_id, status=Status.PLANNED, send_at__lte=now)
            .first()
        )
        if invitation is None:
            return False
        client = invitation.client
        if not _may_survey(client):
            invitation.status = Status.CANCELLED
            invitation.save(update_fields=["status", "updated_at"])
            return False
        channel = _delivery_channel()
        if channel is None:
            # The practice delivers by webhook only, and no endpoint takes `survey.ready`.
            invitation.status = Status.FAILED
            invitation.save(update_fields=["status", "updated_at"])
            return False
        policy = selectors.survey_policy()
        reminder = policy.reminder_after_hours
        model_update(
            instance=invitation,
            fields=("status", "channel", "sent_at", "expires_at", "remind_at"),
            data={
                "status": Status.SENT,
                "channel": channel,
                "sent_at": now,
                "expires_at": now + timedelta(hours=policy.expires_after_hours),
                "remind_at": now + timedelta(hours=reminder) if reminder else None,
            },
        )
        _deliver(invitation, kind=OutboxMessage.Kind.SURVEY_INVITATION)
        webhook_event_enqueue(event=Event.SURVEY_SENT, data=_invitation_event_data(invitation))
    return True


def _delivery_channel() -> str | None:
    """How the practice's surveys go out now: its chosen channels, less a webhook that no
    endpoint would receive."""
    chosen = set(current_practice().survey_channels)
    if SurveyChannel.WEBHOOK in chosen and not webhook_event_is_wanted(Event.SURVEY_READY):
        chosen.discard(SurveyChannel.WEBHOOK)
    if chosen == {SurveyChannel.EMAIL, SurveyChannel.WEBHOOK}:
        return Channel.EMAIL_AND_WEBHOOK
    return Channel(chosen.pop()) if chosen else None


def _deliver(invitation: SurveyInvitation, *, kind: str) -> None:
    """The invitation (or its reminder) by each of its channels. The link is made when each
    message is delivered, so no queued row ever holds one."""
    if invitation.channel in (Channel.EMAIL, Channel.EMAIL_AND_WEBHOOK):
        outbox_enqueue(
            kind=kind,
            recipient=client_recipient(invitation.client),
            context={"invitation": str(invitation.pk)},
        )
    if invitation.channel in (Channel.WEBHOOK, Channel.EMAIL_AND_WEBHOOK):
        webhook_event_enqueue_rendered_at_delivery(
            event=Event.SURVEY_READY,
            context={
                "invitation": str(invitation.pk),
                "reminder": kind == OutboxMessage.Kind.SURVEY_REMINDER,
            },
        )


def _invitation_event_data(invitation: SurveyInvitation) -> dict:
    return {
        "invitation": str(invitation.pk),
        "client": str(invitation.client_id),
        "session": str(invitation.session_id) if invitation.session_id else None,
        "status": invitation.status,
        "channel": invitation.channel,
    }


IN_SESSION_REOPENABLE = (
    Status.PLANNED,
    Status.SENT,
    Status.OPENED,
    Status.CANCELLED,
    Status.FAILED,
)


@transaction.atomic
def invitation_link_for_session(
    *, session: Session, lifetime: timedelta
) -> tuple[SurveyInvitation, str, datetime]:
    """A link for answering in the room: the session's invitation (made now if it has none)
    with a fresh token that revokes any earlier one. Returns the invitation, the token and
    when the link expires.

    Consent applies; the every-Nth and minimum-days rules do not, since the clinician asks.
    """
    if session.status not in (Session.Status.SCHEDULED, Session.Status.COMPLETED):
        raise Conflict(f"This session is {session.get_status_display().lower()}.")
    client = Client.objects.select_for_update().get(pk=session.client_id)
    if not _may_survey(client):
        raise Conflict(
            "This client is not surveyed: they have not consented, stopped surveys themselves, "
            "or are discharged."
        )
    now = timezone.now()
    link_expires_at = now + lifetime
    invitation = SurveyInvitation.objects.select_for_update().filter(session=session).first()
    if invitation is not None and invitation.status not in IN_SESSION_REOPENABLE:
        raise Conflict(f"This session's survey is {invitation.status}.")
    # It is being answered in the room: no reminder.
    in_the_room = {"channel": Channel.IN_SESSION, "remind_at": None}
    newly_sent = invitation is None or invitation.status not in SurveyInvitation.ANSWERABLE
    sent_now = {"status": Status.SENT, "sent_at": now, "expires_at": link_expires_at}
    if invitation is None:
        invitation = SurveyInvitation.objects.create(
            practice=current_practice(),
            client=client,
            session=session,
            instrument=_policy_instrument(selectors.survey_policy()),
            send_at=now,
            **in_the_room,
            **sent_now,
        )
    else:
        changes = in_the_room | (
            sent_now if newly_sent else {"expires_at": max(invitation.expires_at, link_expires_at)}
        )
        model_update(instance=invitation, fields=tuple(changes), data=changes)
    if newly_sent:
        webhook_event_enqueue(event=Event.SURVEY_SENT, data=_invitation_event_data(invitation))
    token = survey_link_issue(
        invitation=invitation, channel=Channel.IN_SESSION, expires_at=link_expires_at
    )
    return invitation, token, link_expires_at


def invitation_remind(*, invitation_id) -> bool:
    """Send the one reminder of an unanswered invitation, through the outbox."""
    now = timezone.now()
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update(of=("self",))
            .select_related("client")
            .filter(
                pk=invitation_id,
                status__in=SurveyInvitation.ANSWERABLE,
                reminded_at=None,
                remind_at__lte=now,
                expires_at__gt=now,
            )
            .first()
        )
        if invitation is None:
            return False
        if not invitation.client.survey_consent:
            invitation.remind_at = None  # no reminder for a client who opted out
            invitation.save(update_fields=["remind_at", "updated_at"])
            return False
        invitation.reminded_at = now
        invitation.save(update_fields=["reminded_at", "updated_at"])
        _deliver(invitation, kind=OutboxMessage.Kind.SURVEY_REMINDER)
    return True


def survey_link_issue(
    *, invitation: SurveyInvitation, channel: str, expires_at: datetime | None = None
) -> str:
    """A new link for the invitation, revoking the earlier ones of its channel (a link shown in
    the session revokes every other): whichever message carried them, a client holds one live
    link per invitation and channel. Returns the token, which is stored only as its hash."""
    tokens = survey_links_issue(invitations=[invitation], channel=channel, expires_at=expires_at)
    return tokens[invitation.pk]


def survey_links_issue(
    *, invitations: list[SurveyInvitation], channel: str, expires_at: datetime | None = None
) -> dict:
    """`survey_link_issue` for many invitations at once (a delivery batch's survey emails), in
    two statements; returns each invitation's token by its id."""
    earlier = SurveyLink.objects.filter(invitation__in=invitations, revoked_at=None)
    if channel != Channel.IN_SESSION:
        earlier = earlier.filter(channel=channel)
    earlier.update(revoked_at=timezone.now())
    tokens = {invitation.pk: new_token() for invitation in invitations}
    SurveyLink.objects.bulk_create(
        SurveyLink(
            practice=current_practice(),
            invitation_id=invitation_id,
            token_hash=hash_token(token),
            channel=channel,
            expires_at=expires_at,
        )
        for invitation_id, token in tokens.items()
    )
    return tokens


def invitation_fail_delivery(*, invitation_id, channel: str) -> bool:
    """The invitation's message by `channel` (its email or reminder, whose link replaced the
    first, or its `survey.ready` webhook) failed for good: close it as `failed`, which no rule
    counts as the client's non-response. One that went by both channels stays open."""
    now = timezone.now()
    failed = SurveyInvitation.objects.filter(
        pk=invitation_id, status__in=SurveyInvitation.ANSWERABLE, channel=channel
    ).update(status=Status.FAILED, updated_at=now)
    if failed:
        SurveyLink.objects.filter(invitation_id=invitation_id, revoked_at=None).update(
            revoked_at=now
        )
    return bool(failed)


def invitation_reopen_delivery(*, invitation_id, channel: str) -> bool:
    """An admin retries the failed message of an invitation that has not expired: it is open
    to answer again, and the retried message carries its one live link."""
    now = timezone.now()
    failed = SurveyInvitation.objects.filter(
        pk=invitation_id, status=Status.FAILED, channel=channel, expires_at__gt=now
    )
    reopened = failed.filter(opened_at=None).update(status=Status.SENT, updated_at=now)
    reopened += failed.exclude(opened_at=None).update(status=Status.OPENED, updated_at=now)
    return bool(reopened)


def invitation_expire(*, invitation_id) -> bool:
    """Close an invitation whose time to answer has passed; unanswered ones count toward the
    non-response rule."""
    with transaction.atomic():
        expired = SurveyInvitation.objects.filter(
            pk=invitation_id,
            status__in=SurveyInvitation.ANSWERABLE,
            expires_at__lte=timezone.now(),
        ).update(status=Status.EXPIRED, updated_at=timezone.now())
        if expired:
            invitation = SurveyInvitation.objects.get(pk=invitation_id)
            webhook_event_enqueue(
                event=Event.SURVEY_EXPIRED, data=_invitation_event_data(invitation)
            )
            enqueue_on_commit(
                "alliance.tasks.evaluate_non_response", current_practice().pk, invitation_id
            )
    return bool(expired)


# The client's page


def invitation_check_answerable(invitation: SurveyInvitation) -> None:
    """Raise `SurveyClosed` unless the client can still answer; expire it when it is late."""
    if invitation.status == Status.COMPLETED:
        raise SurveyClosed("answered")
    if invitation.status in SurveyInvitation.ANSWERABLE and invitation.expires_at <= timezone.now():
        invitation_expire(invitation_id=invitation.pk)
        raise SurveyClosed("expired")
    if invitation.status == Status.EXPIRED:
        raise SurveyClosed("expired")
    if invitation.status not in SurveyInvitation.ANSWERABLE:
        raise SurveyClosed("unavailable")


def invitation_open(*, invitation: SurveyInvitation) -> None:
    """Note the first time the link was opened. Opening never uses the link up: mail
    scanners fetch links before people do."""
    invitation_check_answerable(invitation)
    if invitation.status == Status.SENT:
        now = timezone.now()
        SurveyInvitation.objects.filter(pk=invitation.pk, status=Status.SENT).update(
            status=Status.OPENED, opened_at=now, updated_at=now
        )


def response_submit(
    *,
    invitation: SurveyInvitation,
    submitted: dict,
    comment: str = "",
    discuss_request: bool = False,
) -> SurveyResponse:
    """Save the client's answers and close the invitation, once.

    Raises `InvalidInput` (nothing saved) for missing or out-of-range answers, and
    `SurveyClosed` when the invitation was answered, expired or cancelled meanwhile.
    """
    invitation_check_answerable(invitation)
    instrument = invitation.instrument
    answers, errors = clean_answers(instrument, submitted)
    if "\x00" in comment:
        # Never typed by a person, and PostgreSQL text cannot hold it.
        errors["comment"] = [_("Please remove the control characters from your comment.")]
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        closed = SurveyInvitation.objects.filter(
            pk=invitation.pk, status__in=SurveyInvitation.ANSWERABLE, expires_at__gt=now
        ).update(status=Status.COMPLETED, completed_at=now, updated_at=now)
        if not closed:
            invitation.refresh_from_db()
            invitation_check_answerable(invitation)
            raise SurveyClosed("unavailable")
        scores = score(instrument, answers)
        response = SurveyResponse.objects.create(
            practice=invitation.practice,
            invitation=invitation,
            client_id=invitation.client_id,
            session_id=invitation.session_id,
            instrument=instrument,
            answers=answers,
            total=scores.total,
            mean=scores.mean,
            subscales=scores.subscales,
            comment=comment.strip()[:2000],
            discuss_request=discuss_request,
            answered_at=now,
        )
        webhook_event_enqueue(
            event="survey.completed",
            data={
                "response": str(response.pk),
                "invitation": str(invitation.pk),
                "client": str(response.client_id),
                "session": str(response.session_id) if response.session_id else None,
                "instrument": instrument.code,
                "version": instrument.version,
            },
        )
        enqueue_on_commit(
            "alliance.tasks.evaluate_alerts_for_response", response.practice_id, response.pk
        )
        return response


@transaction.atomic
def client_opt_out_of_surveys(*, client: Client) -> int:
    """The client asked for no more surveys: record it (so that the practice's system cannot
    give consent back), cancel what is still planned, and tell the practice's system."""
    now = timezone.now()
    stopped = Client.objects.filter(pk=client.pk, opted_out_at=None).update(
        survey_consent=False, opted_out_at=now, updated_at=now
    )
    if stopped:
        webhook_event_enqueue(
            event=Event.CLIENT_OPTED_OUT,
            data={
                "client": str(client.pk),
                "survey_consent": False,
                "opted_out_at": now.isoformat(),
            },
        )
    return SurveyInvitation.objects.filter(client=client, status=Status.PLANNED).update(
        status=Status.CANCELLED, updated_at=now
    )


def client_opt_back_in_to_surveys(*, client: Client) -> bool:
    """The client, from a link they hold, confirmed they want surveys again."""
    return bool(
        Client.objects.filter(pk=client.pk)
        .exclude(opted_out_at=None)
        .update(survey_consent=True, opted_out_at=None, updated_at=timezone.now())
    )
