"""Writes for survey policy, instruments, invitations and responses.

A survey's life: `invitation_plan_for_session` (when a session is completed, in the same
transaction) → `invitation_send` (when due; the email goes through the outbox) →
`invitation_open` (the client opens the link) → `response_submit` (the client answers), or
`invitation_expire`.
"""

import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from alliance import rules as rules_module
from alliance import selectors, tasks
from alliance.builtin_instruments import DEFAULT_INSTRUMENT_CODE
from alliance.models import (
    Alert,
    AlertRules,
    Instrument,
    SurveyInvitation,
    SurveyPolicy,
    SurveyResponse,
)
from alliance.scoring import clean_answers, score
from notifications.models import OutboxMessage
from notifications.services import client_recipient, outbox_enqueue, webhook_event_enqueue
from practice.errors import Conflict, InvalidInput
from practice.models import Client, Session
from practice.tenancy import current_practice

Status = SurveyInvitation.Status


class SurveyClosed(Exception):
    """The invitation can no longer be answered; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Survey policy


def survey_policy_update(**changes) -> SurveyPolicy:
    policy = selectors.survey_policy()
    code = changes.get("instrument_code")
    if code is not None and selectors.instrument_current(code) is None:
        raise InvalidInput({"instrument": [f"No instrument with code {code!r}."]})
    for field, value in changes.items():
        setattr(policy, field, value)
    policy.save()
    return policy


# Instruments


def instrument_create(*, code: str, name: str, items: list, scoring: dict, **norms) -> Instrument:
    """Add a practice's own instrument, or a new current version of one it already has."""
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
            name=name,
            items=items,
            scoring=scoring,
            version=previous.version + 1 if previous else 1,
            **norms,
        )


def instrument_update(*, instrument: Instrument, **changes) -> Instrument:
    """Change a practice's own instrument: in place until it has answers, then as a new version."""
    if instrument.is_built_in:
        raise Conflict("Built-in instruments cannot be changed; create one of your own.")
    if SurveyResponse.objects.filter(instrument=instrument).exists() or (
        SurveyInvitation.objects.filter(instrument=instrument).exists()
    ):
        fields = {
            "name": instrument.name,
            "items": instrument.items,
            "scoring": instrument.scoring,
            "threshold": instrument.threshold,
            "item_threshold": instrument.item_threshold,
            "standard_deviation": instrument.standard_deviation,
            "reliability": instrument.reliability,
        }
        return instrument_create(code=instrument.code, **(fields | changes))
    for field, value in changes.items():
        setattr(instrument, field, value)
    instrument.save()
    return instrument


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

    Called in the transaction that completes the session, once per session.
    """
    client = session.client
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
        _queue_after_commit(tasks.send_survey_invitation, invitation.practice_id, invitation.pk)
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
        invitation.status = Status.SENT
        invitation.sent_at = now
        invitation.expires_at = now + timedelta(hours=policy.expires_after_hours)
        if policy.reminder_after_hours:
            invitation.remind_at = now + timedelta(hours=policy.reminder_after_hours)
        invitation.save()
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
            _queue_after_commit(tasks.evaluate_non_response, current_practice().pk, invitation_id)
    return bool(expired)


def _queue_after_commit(task, *ids) -> None:
    """Queue `task` with these ids once the transaction commits. With the broker down the
    change still stands (robust): beat's scans pick up what was missed."""
    transaction.on_commit(lambda: task.delay(*(str(i) for i in ids)), robust=True)


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
        _queue_after_commit(tasks.evaluate_alerts_for_response, response.practice_id, response.pk)
        return response


def client_opt_out_of_surveys(*, client: Client) -> int:
    """The client asked for no more surveys: record it and cancel what is still planned."""
    Client.objects.filter(pk=client.pk).update(survey_consent=False, updated_at=timezone.now())
    return SurveyInvitation.objects.filter(client=client, status=Status.PLANNED).update(
        status=Status.CANCELLED, updated_at=timezone.now()
    )


# Alerts


def alert_rules_update(*, settings: dict) -> dict:
    """Save a practice's rule settings (each rule's given fields over what it had)."""
    rules, _ = AlertRules.objects.get_or_create(practice=current_practice())
    rules.settings = rules.settings | {
        name: rules.settings.get(name, {}) | changes for name, changes in settings.items()
    }
    rules.save()
    return selectors.alert_rules()


@transaction.atomic
def alerts_evaluate_for_response(*, response_id) -> list[Alert]:
    """Run every rule on a new response, once; raise or update the alerts they find.

    Marking the response evaluated and raising its alerts commit together, so a failed or
    never-queued evaluation is found again by beat's scan.
    """
    claimed = SurveyResponse.objects.filter(pk=response_id, alerts_evaluated_at=None).update(
        alerts_evaluated_at=timezone.now()
    )
    if not claimed:
        return []
    response = SurveyResponse.objects.select_related("instrument", "client").get(pk=response_id)
    rules = selectors.alert_rules()
    inputs = selectors.rule_inputs_for_response(response, rules)
    findings = [
        rules_module.low_score(inputs.recent, rules["low_score"]),
        rules_module.drop(inputs.recent, inputs.baseline, rules["drop"]),
        rules_module.no_progress(inputs.window, rules["no_progress"]),
        rules_module.discuss_request(inputs.recent[0], rules["discuss_request"]),
    ]
    enabled = [f for f in findings if f is not None and rules[f.kind]["enabled"]]
    return _raise_alerts(response.client, response.session_id, enabled)


@transaction.atomic
def alerts_evaluate_non_response(*, invitation_id) -> list[Alert]:
    """After an invitation expires, once: has the client left several in a row unanswered?"""
    claimed = SurveyInvitation.objects.filter(
        pk=invitation_id, status=Status.EXPIRED, non_response_evaluated_at=None
    ).update(non_response_evaluated_at=timezone.now())
    if not claimed:
        return []
    client = SurveyInvitation.objects.select_related("client").get(pk=invitation_id).client
    rules = selectors.alert_rules()
    settings = rules["non_response"]
    latest = selectors.latest_closed_invitations(
        client=client, count=settings["consecutive_expired"]
    )
    finding = rules_module.non_response(latest, settings)
    if finding is None or not settings["enabled"]:
        return []
    return _raise_alerts(client, None, [finding])


@transaction.atomic
def _raise_alerts(client: Client, session_id, findings: list) -> list[Alert]:
    if not findings:
        return []
    # One evaluation at a time per client, so that two cannot both create the same alert.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    active = {
        alert.kind: alert
        for alert in Alert.objects.select_for_update().filter(
            client=client, status__in=Alert.ACTIVE
        )
    }
    now = timezone.now()
    raised = []
    for finding in findings:
        alert = active.get(finding.kind)
        if alert is None:
            alert = Alert.objects.create(
                practice=current_practice(),
                client=client,
                clinician_id=client.clinician_id,
                session_id=session_id,
                kind=finding.kind,
                severity=finding.severity,
                evidence=finding.evidence,
                red_since=now if finding.severity == "red" else None,
            )
            _notify_alert(alert, event="alert.created", email_clinician=True)
        else:
            became_red = (
                rules_module.SEVERITY_RANK[finding.severity]
                > rules_module.SEVERITY_RANK[alert.severity]
            )
            alert.evidence = finding.evidence
            alert.session_id = session_id or alert.session_id
            alert.clinician_id = client.clinician_id  # the client's clinician of today
            if became_red:
                alert.severity, alert.red_since = finding.severity, now
            alert.save()
            _notify_alert(alert, event="alert.updated", email_clinician=became_red)
        raised.append(alert)
    return raised


def _notify_alert(alert: Alert, *, event: str, email_clinician: bool) -> None:
    if email_clinician:
        outbox_enqueue(
            kind=OutboxMessage.Kind.ALERT,
            recipient=alert.clinician.email,
            context={"alert": str(alert.pk)},
        )
    webhook_event_enqueue(event=event, data=alert_webhook_data(alert))


def alert_webhook_data(alert: Alert) -> dict:
    """What a webhook tells of an alert: ids and states, never names or scores."""
    return {
        "id": str(alert.pk),
        "kind": alert.kind,
        "severity": alert.severity,
        "status": alert.status,
        "client": str(alert.client_id),
        "clinician": str(alert.clinician_id),
        "session": str(alert.session_id) if alert.session_id else None,
        "created_at": alert.created_at.isoformat(),
    }


def _alert_transition(*, alert: Alert, to_status: str, **stamps) -> Alert:
    allowed_from = {
        Alert.Status.ACKNOWLEDGED: [Alert.Status.OPEN],
        Alert.Status.RESOLVED: [Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED],
    }[to_status]
    changed = Alert.objects.filter(pk=alert.pk, status__in=allowed_from).update(
        status=to_status, updated_at=timezone.now(), **stamps
    )
    alert.refresh_from_db()
    if not changed and alert.status != to_status:
        raise Conflict(f"This alert is {alert.status}; it cannot be {to_status} now.")
    if changed:
        webhook_event_enqueue(event="alert.updated", data=alert_webhook_data(alert))
    return alert


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by: str = "", note: str = "") -> Alert:
    return _alert_transition(
        alert=alert,
        to_status=Alert.Status.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
        acknowledged_by=by,
        acknowledged_note=note,
    )


@transaction.atomic
def alert_resolve(*, alert: Alert, by: str = "", note: str = "") -> Alert:
    return _alert_transition(
        alert=alert,
        to_status=Alert.Status.RESOLVED,
        resolved_at=timezone.now(),
        resolved_by=by,
        resolved_note=note,
    )


@transaction.atomic
def alert_escalate(*, alert_id) -> bool:
    """Email the practice's owners and admins about a red alert left unacknowledged."""
    hours = selectors.alert_rules()["escalation"]["red_unacknowledged_hours"]
    due = timezone.now() - timedelta(hours=hours)
    escalated = Alert.objects.filter(
        pk=alert_id,
        status=Alert.Status.OPEN,
        severity=Alert.Severity.RED,
        red_since__lte=due,
        escalated_at=None,
    ).update(escalated_at=timezone.now())
    if not escalated:
        return False
    for email in selectors.practice_admin_emails():
        outbox_enqueue(
            kind=OutboxMessage.Kind.ALERT_ESCALATION,
            recipient=email,
            context={"alert": str(alert_id)},
        )
    return True


def client_start_new_episode(*, client: Client) -> Client:
    """The client's baseline starts again: earlier answers no longer count toward drops."""
    client.episode_started_at = timezone.now()
    client.save(update_fields=["episode_started_at", "updated_at"])
    return client
