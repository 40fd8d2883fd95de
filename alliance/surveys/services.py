"""Writes for survey policy, instruments, invitations and responses.

A survey's life: `invitation_plan_for_session` (when a session is completed, in the same
transaction) → `invitation_send` (when due; the email goes through the outbox) →
`invitation_open` (the client opens the link) → `response_submit` (the client answers), or
`invitation_expire`.
"""

import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
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
from notifications.models import OutboxMessage
from notifications.services import client_recipient, outbox_enqueue, webhook_event_enqueue
from practice.bounds import bound_problems
from practice.errors import Conflict, InvalidInput
from practice.models import Client, Session
from practice.tasking import enqueue_on_commit
from practice.tenancy import current_practice
from practice.tokens import hash_token, new_token
from practice.updates import model_update

Status = SurveyInvitation.Status


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
    if not client.survey_consent or client.status != Client.Status.ACTIVE:
        return None
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
    instrument = selectors.instrument_current(policy.instrument_code) or (
        selectors.instrument_current(DEFAULT_INSTRUMENT_CODE)
    )
    invitation = SurveyInvitation.objects.create(
        practice=current_practice(),
        client=client,
        session=session,
        instrument=instrument,
        send_at=send_at,
    )
    if send_at <= timezone.now():
        # With the broker down the invitation stays planned; beat's scan sends it later.
        enqueue_on_commit(
            "alliance.tasks.send_survey_invitation", invitation.practice_id, invitation.pk
        )
    return invitation


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
        if not client.survey_consent or client.status != Client.Status.ACTIVE:
            invitation.status = Status.CANCELLED
            invitation.save(update_fields=["status", "updated_at"])
            return False
        policy = selectors.survey_policy()
        reminder = policy.reminder_after_hours
        model_update(
            instance=invitation,
            fields=("status", "sent_at", "expires_at", "remind_at"),
            data={
                "status": Status.SENT,
                "sent_at": now,
                "expires_at": now + timedelta(hours=policy.expires_after_hours),
                "remind_at": now + timedelta(hours=reminder) if reminder else None,
            },
        )
        outbox_enqueue(
            kind=OutboxMessage.Kind.SURVEY_INVITATION,
            recipient=client_recipient(client),
            context={"invitation": str(invitation.pk)},
        )
    return True


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
        outbox_enqueue(
            kind=OutboxMessage.Kind.SURVEY_REMINDER,
            recipient=client_recipient(invitation.client),
            context={"invitation": str(invitation.pk)},
        )
    return True


def survey_link_issue(*, invitation: SurveyInvitation) -> str:
    """A new link for the invitation, revoking every earlier one: whichever email carried
    them, a client holds one live link per invitation. Returns the token, which is stored
    only as its hash."""
    SurveyLink.objects.filter(invitation=invitation, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    token = new_token()
    SurveyLink.objects.create(
        practice=invitation.practice, invitation=invitation, token_hash=hash_token(token)
    )
    return token


def invitation_fail_delivery(*, invitation_id) -> bool:
    """The invitation's email, or its reminder (whose link replaced the first), failed for
    good: close it as `failed`, which no rule counts as the client's non-response."""
    now = timezone.now()
    failed = SurveyInvitation.objects.filter(
        pk=invitation_id, status__in=SurveyInvitation.ANSWERABLE
    ).update(status=Status.FAILED, updated_at=now)
    SurveyLink.objects.filter(invitation_id=invitation_id, revoked_at=None).update(revoked_at=now)
    return bool(failed)


def invitation_reopen_delivery(*, invitation_id) -> bool:
    """An admin retries the failed email of an invitation that has not expired: it is open to
    answer again, and the retried email carries its one live link."""
    now = timezone.now()
    failed = SurveyInvitation.objects.filter(
        pk=invitation_id, status=Status.FAILED, expires_at__gt=now
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
                "session": str(response.session_id),
                "instrument": instrument.code,
                "version": instrument.version,
            },
        )
        enqueue_on_commit(
            "alliance.tasks.evaluate_alerts_for_response", response.practice_id, response.pk
        )
        return response


def client_opt_out_of_surveys(*, client: Client) -> int:
    """The client asked for no more surveys: record it and cancel what is still planned."""
    Client.objects.filter(pk=client.pk).update(survey_consent=False, updated_at=timezone.now())
    return SurveyInvitation.objects.filter(client=client, status=Status.PLANNED).update(
        status=Status.CANCELLED, updated_at=timezone.now()
    )
