"""Writes for alerts and alert settings.

An answer's way to the clinician: `alerts_evaluate_for_response` (a task queued when the
client answers) → the evaluation core of `alliance.alerts.evaluation` (the rules of
`alliance.alerts.rules`, plain functions over numbers; tiers; dedupe; the decision to email),
the same code the validation harness replays → one active alert or prompt per client and
kind, raised, updated or reopened → an email to the clinician for alerts (never for prompts)
and `alert.*` webhooks through the outbox.
"""

import zoneinfo
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from alliance.alerts import evaluation, preview, selectors
from alliance.alerts.defaults import merged_rules, validated_overrides
from alliance.alerts.evaluation import Context
from alliance.models import (
    Alert,
    AlertAction,
    AlertRules,
    ClinicianBrief,
    SurveyInvitation,
    SurveyResponse,
)
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue, webhook_event_enqueue
from practice.actors import Actor
from practice.errors import Conflict, InvalidInput
from practice.models import Client, Clinician, Session
from practice.services import client_start_new_episode
from practice.tenancy import current_practice
from practice.updates import model_update


@transaction.atomic
def alert_rules_update(*, settings: dict, replace: bool = False) -> dict:
    """Save a practice's rule settings, checked against the bounds of
    `alliance.alerts.defaults` (the API and the admin alike): each rule's given fields over
    what it had, or, with `replace`, instead of everything it had."""
    AlertRules.objects.get_or_create(practice=current_practice())
    # Locked, so that two changes of different rules both stay.
    rules = AlertRules.objects.select_for_update().get()
    merged = validated_overrides(settings, current=None if replace else rules.settings)
    model_update(instance=rules, fields=("settings",), data={"settings": merged})
    return selectors.alert_rules()


def _context(rules: dict | None = None) -> Context:
    return Context(
        rules=selectors.alert_rules() if rules is None else rules,
        pooled_spreads=selectors.pooled_spreads(),
    )


@transaction.atomic
def alerts_evaluate_for_response(*, response_id) -> list[Alert]:
    """Run the evaluation core on a new response, once; apply what it decides.

    Marking the response evaluated and raising its alerts commit together, so a failed or
    never-queued evaluation is found again by beat's scan.
    """
    claimed = SurveyResponse.objects.filter(pk=response_id, alerts_evaluated_at=None).update(
        alerts_evaluated_at=timezone.now()
    )
    if not claimed:
        return []
    response = SurveyResponse.objects.select_related("instrument", "client").get(pk=response_id)
    context = _context()
    history = selectors.episode_history(response, settings=context.rules)
    return _apply_decisions(
        response.client,
        response.session_id,
        lambda active: evaluation.evaluate_answer(history, active, context),
    )


@transaction.atomic
def alerts_evaluate_non_response(*, invitation_id) -> list[Alert]:
    """After an invitation expires, once: has the client left several in a row unanswered?"""
    claimed = SurveyInvitation.objects.filter(
        pk=invitation_id, status=SurveyInvitation.Status.EXPIRED, non_response_evaluated_at=None
    ).update(non_response_evaluated_at=timezone.now())
    if not claimed:
        return []
    client = SurveyInvitation.objects.select_related("client").get(pk=invitation_id).client
    statuses = selectors.closed_invitation_statuses(client=client)
    context = Context(rules=selectors.alert_rules())
    return _apply_decisions(
        client, None, lambda active: evaluation.evaluate_non_response(statuses, active, context)
    )


# What an evaluation changes on an active alert; its acknowledgement and resolution change
# through their own compare-and-swap transitions.
ALERT_EVALUATED = (
    "evidence",
    "session_id",
    "clinician_id",
    "severity",
    "red_since",
    "status",
    "acknowledged_at",
    "acknowledged_by",
    "acknowledged_note",
    "escalated_at",
)


def _apply_decisions(client: Client, session_id, decide) -> list[Alert]:
    """Lock the client's active alerts, let the core decide on them, and write what it
    decided: one active alert per client and kind, webhooks for every change, and an email
    to the clinician where the core says so (never for a prompt)."""
    # One evaluation at a time per client, so that two cannot both create the same alert.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    active = selectors.active_alerts(client=client)
    decisions = decide({kind: selectors.as_active_alert(a) for kind, a in active.items()})
    now = timezone.now()
    changed = []
    for decision in decisions:
        alert = active.get(decision.kind)
        if alert is None:
            alert = Alert.objects.create(
                practice=current_practice(),
                client=client,
                clinician_id=client.clinician_id,
                session_id=session_id,
                kind=decision.kind,
                severity=decision.severity,
                evidence=decision.evidence,
                red_since=now if decision.severity == Alert.Severity.RED else None,
            )
            _notify_alert(alert, event="alert.created", email_clinician=decision.email)
        else:
            changes = {
                "evidence": decision.evidence,
                "session_id": session_id or alert.session_id,
                "clinician_id": client.clinician_id,  # the client's clinician of today
                "severity": decision.severity,  # the core never lowers it
            }
            red = decision.severity == Alert.Severity.RED
            if decision.rose and red:
                changes["red_since"] = now
            if decision.action == "reopen":
                # New evidence after an acknowledgement: it needs seeing again, and a red one
                # escalates again if it is left alone.
                changes |= {
                    "status": Alert.Status.OPEN,
                    "acknowledged_at": None,
                    "acknowledged_by": "",
                    "acknowledged_note": "",
                }
                if red:
                    changes |= {"red_since": now, "escalated_at": None}
            model_update(instance=alert, fields=ALERT_EVALUATED, data=changes)
            _notify_alert(alert, event="alert.updated", email_clinician=decision.email)
        changed.append(alert)
    return changed


PREVIEW_DAYS = 90
PREVIEW_DAYS_BOUNDS = (1, 365)


def alert_rules_preview(*, settings: dict, days: int = PREVIEW_DAYS, replace: bool = False) -> dict:
    """What the practice's answers of the last `days` would have raised under the proposed
    settings (laid over the practice's own, or with `replace` instead of them, as saving them
    would) and under the current ones. Sends nothing and changes nothing. A practice with no
    answers in that time gets the simulated-cohort figures of its survey instrument instead."""
    low, high = PREVIEW_DAYS_BOUNDS
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        raise InvalidInput({"days": [f"Must be a whole number of days from {low} to {high}."]})
    overrides = selectors.alert_rule_overrides()
    proposed = merged_rules(validated_overrides(settings, current=None if replace else overrides))
    current = merged_rules(overrides)
    since = timezone.now() - timedelta(days=days)
    histories, clinicians = selectors.preview_histories(since=since)
    answers = preview.answers_in_window(histories)
    figures = {
        "days": days,
        "since": since.isoformat(),
        "answers": answers,
        "settings": {"current": current, "proposed": proposed},
        "current": None,
        "proposed": None,
        "simulated": None,
    }
    if answers == 0:
        definition = selectors.survey_instrument_definition()
        figures["simulated"] = {
            "current": preview.simulated(definition, current),
            "proposed": preview.simulated(definition, proposed),
        }
        return figures
    clinician_weeks = clinicians * days / 7
    pooled = selectors.pooled_spreads()
    for name, rules in (("current", current), ("proposed", proposed)):
        figures[name] = preview.replay_practice(
            histories, Context(rules, pooled), clinician_weeks=clinician_weeks
        )
    return figures


PROMPT_CLOSED_BY = "the client's next session"


def alerts_close_prompts_for_session(*, session) -> int:
    """A prompt is for the next session: when the client's next session completes, it closes
    by itself. Registered with `practice.hooks.session_completed`, so it runs in the
    transaction that completes the session."""
    active = selectors.active_prompts(client_id=session.client_id)
    closing = evaluation.prompts_closed_by_session(
        {alert.kind: selectors.as_active_alert(alert) for alert in active}
    )
    by_kind = {alert.kind: alert for alert in active}
    now = timezone.now()
    for prompt in closing:
        alert = by_kind[prompt.kind]
        alert.status = Alert.Status.RESOLVED
        alert.resolved_at, alert.resolved_by = now, PROMPT_CLOSED_BY
        alert.save(update_fields=["status", "resolved_at", "resolved_by", "updated_at"])
        webhook_event_enqueue(event="alert.updated", data=alert_webhook_data(alert))
    return len(closing)


def _notify_alert(alert: Alert, *, event: str, email_clinician: bool) -> None:
    if email_clinician:
        outbox_enqueue(
            kind=OutboxMessage.Kind.ALERT,
            recipient=alert.clinician.email,
            context={"alert": str(alert.pk)},
        )
    webhook_event_enqueue(event=event, data=alert_webhook_data(alert))


def alert_webhook_data(alert: Alert, *, by: Actor | None = None) -> dict:
    """What a webhook tells of an alert: ids and states, never names or scores; for a change
    someone made, who (a member's id, or an API key's id and name)."""
    data = {
        "id": str(alert.pk),
        "kind": alert.kind,
        "severity": alert.severity,
        "status": alert.status,
        "client": str(alert.client_id),
        "clinician": str(alert.clinician_id),
        "session": str(alert.session_id) if alert.session_id else None,
        "created_at": alert.created_at.isoformat(),
    }
    if by is not None:
        data["by"] = by.as_data()
    return data


def _record_action(
    alert: Alert, kind: str, actor: Actor, *, note: str = "", session: Session | None = None
) -> AlertAction:
    return AlertAction.objects.create(
        practice=alert.practice,
        alert=alert,
        kind=kind,
        member=actor.member,
        api_key=actor.api_key,
        actor_type=actor.type,
        by=actor.name,
        note=note,
        session=session,
    )


def _alert_transition(*, alert: Alert, to_status: str, actor: Actor, note: str, **stamps) -> bool:
    """Move the alert to `to_status` (a compare-and-swap) and record who did it; True if this
    call made the change. Repeating a change already made changes nothing."""
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
        _record_action(alert, to_status, actor, note=note)
        webhook_event_enqueue(event="alert.updated", data=alert_webhook_data(alert, by=actor))
    return bool(changed)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: Actor, note: str = "") -> Alert:
    _alert_transition(
        alert=alert,
        to_status=Alert.Status.ACKNOWLEDGED,
        actor=actor,
        note=note,
        acknowledged_at=timezone.now(),
        acknowledged_by=actor.label,
        acknowledged_note=note,
    )
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, actor: Actor, note: str = "") -> Alert:
    _alert_transition(
        alert=alert,
        to_status=Alert.Status.RESOLVED,
        actor=actor,
        note=note,
        resolved_at=timezone.now(),
        resolved_by=actor.label,
        resolved_note=note,
    )
    return alert


@transaction.atomic
def alert_mark_discussed(*, alert: Alert, actor: Actor, session: Session, note: str = "") -> Alert:
    """The clinician talked about it with the client in `session` (one of the client's own).
    An open alert is acknowledged by it: someone has plainly seen it."""
    if session.client_id != alert.client_id:
        raise InvalidInput({"session": ["Choose one of this client's sessions."]})
    if alert.status == Alert.Status.OPEN:
        Alert.objects.filter(pk=alert.pk, status=Alert.Status.OPEN).update(
            status=Alert.Status.ACKNOWLEDGED,
            updated_at=timezone.now(),
            acknowledged_at=timezone.now(),
            acknowledged_by=actor.label,
        )
        alert.refresh_from_db()
    _record_action(alert, AlertAction.Kind.DISCUSSED, actor, note=note, session=session)
    webhook_event_enqueue(event="alert.updated", data=alert_webhook_data(alert, by=actor))
    return alert


@transaction.atomic
def alert_start_new_episode(*, alert: Alert, actor: Actor) -> Alert:
    """Start a new episode of care for the alert's client (a new baseline), noted on the alert."""
    client_start_new_episode(client=alert.client)
    _record_action(alert, AlertAction.Kind.NEW_EPISODE, actor)
    return alert


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


@transaction.atomic
def briefs_send_due(*, now: datetime | None = None) -> int:
    """Look, once a day for each active clinician, at the practice's brief hour in their own
    time zone, for that day's sessions with clients who have something to discuss; email the
    clinician only when there are some. Returns how many briefs were emailed."""
    now = now or timezone.now()
    brief_hour = current_practice().brief_hour
    sent = 0
    for clinician in Clinician.objects.filter(active=True):
        local = now.astimezone(zoneinfo.ZoneInfo(clinician.timezone))
        if local.time() < brief_hour:
            continue
        brief, created = ClinicianBrief.objects.get_or_create(
            practice=current_practice(), clinician=clinician, day=local.date()
        )
        if not created:
            continue
        brief.sessions = len(selectors.brief_for_clinician(clinician=clinician, day=brief.day))
        brief.save(update_fields=["sessions"])
        if brief.sessions:
            outbox_enqueue(
                kind=OutboxMessage.Kind.BRIEF,
                recipient=clinician.email,
                context={"brief": str(brief.pk)},
            )
            sent += 1
    return sent
