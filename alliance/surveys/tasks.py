"""Celery tasks for surveys: thin, they take ids and call services.

Task names are explicit and keep the names they had before `alliance/` was split, so that tasks
already queued when a new release is deployed still run.
"""

from celery import shared_task
from django.utils import timezone

from alliance.models import SurveyInvitation
from alliance.surveys import services
from practice.models import Practice
from practice.tasking import enqueue_now_rollback_unsafe, task_in_practice_scope

Status = SurveyInvitation.Status


@shared_task(name="alliance.tasks.send_survey_invitation", acks_late=True, ignore_result=True)
@task_in_practice_scope
def send_survey_invitation(invitation_id: str) -> None:
    services.invitation_send(invitation_id=invitation_id)


@shared_task(name="alliance.tasks.send_survey_reminder", acks_late=True, ignore_result=True)
@task_in_practice_scope
def send_survey_reminder(invitation_id: str) -> None:
    services.invitation_remind(invitation_id=invitation_id)


@shared_task(name="alliance.tasks.expire_survey_invitation", acks_late=True, ignore_result=True)
@task_in_practice_scope
def expire_survey_invitation(invitation_id: str) -> None:
    services.invitation_expire(invitation_id=invitation_id)


def _queue_for_each_due(task_name: str, **conditions) -> None:
    # The beat jobs look across practices for what is due, and hand each row to a task that
    # works inside that row's practice.
    rows = SurveyInvitation.across_practices_unsafe.filter(**conditions)
    for practice_id, invitation_id in rows.values_list("practice_id", "id")[:1000]:
        enqueue_now_rollback_unsafe(task_name, practice_id, invitation_id)


@shared_task(name="alliance.tasks.send_due_invitations", ignore_result=True)
def send_due_invitations() -> None:
    _queue_for_each_due(
        "alliance.tasks.send_survey_invitation", status=Status.PLANNED, send_at__lte=timezone.now()
    )


@shared_task(name="alliance.tasks.send_due_reminders", ignore_result=True)
def send_due_reminders() -> None:
    now = timezone.now()
    _queue_for_each_due(
        "alliance.tasks.send_survey_reminder",
        status__in=SurveyInvitation.ANSWERABLE,
        reminded_at=None,
        remind_at__lte=now,
        expires_at__gt=now,
    )


@shared_task(name="alliance.tasks.expire_overdue_invitations", ignore_result=True)
def expire_overdue_invitations() -> None:
    _queue_for_each_due(
        "alliance.tasks.expire_survey_invitation",
        status__in=SurveyInvitation.ANSWERABLE,
        expires_at__lte=timezone.now(),
    )


@shared_task(name="alliance.tasks.plan_surveys_by_weeks", acks_late=True, ignore_result=True)
@task_in_practice_scope
def plan_surveys_by_weeks() -> None:
    services.invitations_plan_by_weeks()


@shared_task(name="alliance.tasks.plan_time_based_surveys", ignore_result=True)
def plan_time_based_surveys() -> None:
    """Beat's job: each practice on the time-based cadence plans what has come due."""
    weekly = Practice.objects.filter(survey_cadence=Practice.SurveyCadence.WEEKS)
    for practice_id in weekly.values_list("id", flat=True):
        enqueue_now_rollback_unsafe("alliance.tasks.plan_surveys_by_weeks", practice_id)
