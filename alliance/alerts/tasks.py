"""Celery tasks for alerts: thin, they take ids and call services.

Task names are explicit and keep the names they had before `alliance/` was split, so that tasks
already queued when a new release is deployed still run.
"""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from alliance.alerts import services
from alliance.models import Alert, SurveyInvitation, SurveyResponse
from practice.models import Practice
from practice.tasking import enqueue_now_rollback_unsafe, task_in_practice_scope


@shared_task(name="alliance.tasks.evaluate_alerts_for_response", acks_late=True, ignore_result=True)
@task_in_practice_scope
def evaluate_alerts_for_response(response_id: str) -> None:
    services.alerts_evaluate_for_response(response_id=response_id)


@shared_task(name="alliance.tasks.evaluate_non_response", acks_late=True, ignore_result=True)
@task_in_practice_scope
def evaluate_non_response(invitation_id: str) -> None:
    services.alerts_evaluate_non_response(invitation_id=invitation_id)


@shared_task(name="alliance.tasks.evaluate_missed_alert_rules", ignore_result=True)
def evaluate_missed_alert_rules() -> None:
    """Evaluate what a lost task or a broker outage left unevaluated."""
    settled = timezone.now() - timedelta(minutes=1)
    responses = SurveyResponse.across_practices_unsafe.filter(
        alerts_evaluated_at=None, answered_at__lte=settled
    ).order_by("answered_at")
    for practice_id, response_id in responses.values_list("practice_id", "id")[:1000]:
        enqueue_now_rollback_unsafe(
            "alliance.tasks.evaluate_alerts_for_response", practice_id, response_id
        )
    expired = SurveyInvitation.across_practices_unsafe.filter(
        status=SurveyInvitation.Status.EXPIRED,
        non_response_evaluated_at=None,
        updated_at__lte=settled,
    ).order_by("updated_at")
    for practice_id, invitation_id in expired.values_list("practice_id", "id")[:1000]:
        enqueue_now_rollback_unsafe(
            "alliance.tasks.evaluate_non_response", practice_id, invitation_id
        )


@shared_task(name="alliance.tasks.escalate_alert", acks_late=True, ignore_result=True)
@task_in_practice_scope
def escalate_alert(alert_id: str) -> None:
    services.alert_escalate(alert_id=alert_id)


@shared_task(name="alliance.tasks.escalate_unacknowledged_red_alerts", ignore_result=True)
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
        enqueue_now_rollback_unsafe("alliance.tasks.escalate_alert", practice_id, alert_id)


@shared_task(name="alliance.tasks.send_due_briefs", ignore_result=True)
def send_due_briefs() -> None:
    """Beat: each practice looks at its clinicians' days in a task of its own."""
    for practice_id in Practice.objects.values_list("id", flat=True):
        enqueue_now_rollback_unsafe("alliance.tasks.send_practice_briefs", practice_id)


@shared_task(name="alliance.tasks.send_practice_briefs", acks_late=True, ignore_result=True)
@task_in_practice_scope
def send_practice_briefs() -> None:
    services.briefs_send_due()
