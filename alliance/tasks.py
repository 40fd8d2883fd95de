"""Celery tasks for surveys and alerts: thin, they take ids and call services."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from alliance import services
from alliance.models import Alert, SurveyInvitation, SurveyResponse
from practice.tenancy import practice_scope_by_id

Status = SurveyInvitation.Status


@shared_task(acks_late=True, ignore_result=True)
def send_survey_invitation(practice_id: str, invitation_id: str) -> None:
    with practice_scope_by_id(practice_id):
        services.invitation_send(invitation_id=invitation_id)


@shared_task(acks_late=True, ignore_result=True)
def send_survey_reminder(practice_id: str, invitation_id: str) -> None:
    with practice_scope_by_id(practice_id):
        services.invitation_remind(invitation_id=invitation_id)


@shared_task(acks_late=True, ignore_result=True)
def expire_survey_invitation(practice_id: str, invitation_id: str) -> None:
    with practice_scope_by_id(practice_id):
        services.invitation_expire(invitation_id=invitation_id)


def _due(**conditions) -> list[tuple[str, str]]:
    # The beat jobs look across practices for what is due, and hand each row to a task that
    # works inside that row's practice.
    rows = SurveyInvitation.across_practices_unsafe.filter(**conditions)
    return [(str(p), str(i)) for p, i in rows.values_list("practice_id", "id")[:1000]]


@shared_task(ignore_result=True)
def send_due_invitations() -> None:
    for practice_id, invitation_id in _due(status=Status.PLANNED, send_at__lte=timezone.now()):
        send_survey_invitation.delay(practice_id, invitation_id)


@shared_task(ignore_result=True)
def send_due_reminders() -> None:
    now = timezone.now()
    for practice_id, invitation_id in _due(
        status__in=SurveyInvitation.ANSWERABLE,
        reminded_at=None,
        remind_at__lte=now,
        expires_at__gt=now,
    ):
        send_survey_reminder.delay(practice_id, invitation_id)


@shared_task(ignore_result=True)
def expire_overdue_invitations() -> None:
    for practice_id, invitation_id in _due(
        status__in=SurveyInvitation.ANSWERABLE, expires_at__lte=timezone.now()
    ):
        expire_survey_invitation.delay(practice_id, invitation_id)


@shared_task(acks_late=True, ignore_result=True)
def evaluate_alerts_for_response(practice_id: str, response_id: str) -> None:
    with practice_scope_by_id(practice_id):
        services.alerts_evaluate_for_response(response_id=response_id)


@shared_task(acks_late=True, ignore_result=True)
def evaluate_non_response(practice_id: str, invitation_id: str) -> None:
    with practice_scope_by_id(practice_id):
        services.alerts_evaluate_non_response(invitation_id=invitation_id)


@shared_task(ignore_result=True)
def evaluate_missed_alert_rules() -> None:
    """Evaluate what a lost task or a broker outage left unevaluated."""
    settled = timezone.now() - timedelta(minutes=1)
    responses = SurveyResponse.across_practices_unsafe.filter(
        alerts_evaluated_at=None, answered_at__lte=settled
    ).order_by("answered_at")
    for practice_id, response_id in responses.values_list("practice_id", "id")[:1000]:
        evaluate_alerts_for_response.delay(str(practice_id), str(response_id))
    expired = SurveyInvitation.across_practices_unsafe.filter(
        status=Status.EXPIRED, non_response_evaluated_at=None, updated_at__lte=settled
    ).order_by("updated_at")
    for practice_id, invitation_id in expired.values_list("practice_id", "id")[:1000]:
        evaluate_non_response.delay(str(practice_id), str(invitation_id))


@shared_task(acks_late=True, ignore_result=True)
def escalate_alert(practice_id: str, alert_id: str) -> None:
    with practice_scope_by_id(practice_id):
        services.alert_escalate(alert_id=alert_id)


@shared_task(ignore_result=True)
def escalate_unacknowledged_red_alerts() -> None:
    # Candidates across practices; each practice's own delay is checked inside its scope.
    candidates = (
        Alert.across_practices_unsafe.filter(
            status=Alert.Status.OPEN,
            severity=Alert.Severity.RED,
            escalated_at=None,
            red_since__lte=timezone.now() - timedelta(hours=1),
        )
        .order_by("red_since")
        .values_list("practice_id", "id")[:1000]
    )
    for practice_id, alert_id in candidates:
        escalate_alert.delay(str(practice_id), str(alert_id))
