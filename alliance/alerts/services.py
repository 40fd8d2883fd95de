"""Writes for alerts and alert settings.

An answer's way to the clinician: `alerts_evaluate_for_response` (a task queued when the
client answers) → the rules of `alliance.alerts.rules`, plain functions over numbers → one
active alert per client and kind, raised or updated → an email to the clinician and
`alert.*` webhooks through the outbox.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from alliance.alerts import rules as rules_module
from alliance.alerts import selectors
from alliance.models import Alert, AlertRules, SurveyInvitation, SurveyResponse
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue, webhook_event_enqueue
from practice.errors import Conflict
from practice.models import Client
from practice.tenancy import current_practice


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
        pk=invitation_id, status=SurveyInvitation.Status.EXPIRED, non_response_evaluated_at=None
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
