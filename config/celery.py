"""The Celery application: Redis as broker. Each app imports its task modules in its
`AppConfig.ready()`, so every task is registered by name wherever Django runs."""

import os

from celery import Celery, signals
from django.conf import settings
from django.db import close_old_connections, connection

from config.beat_lock import wait_for_beat_lock

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("alliance")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Exactly one beat process runs this schedule; far-future work is a database row with a due
# time, and these jobs pick up whatever has come due.
app.conf.beat_schedule = {
    "sweep-outbox": {
        "task": "notifications.tasks.sweep_outbox",
        "schedule": settings.OUTBOX_SWEEP_SECONDS,
    },
    "send-due-invitations": {
        "task": "alliance.tasks.send_due_invitations",
        "schedule": settings.SURVEY_SCAN_SECONDS,
    },
    "plan-time-based-surveys": {
        "task": "alliance.tasks.plan_time_based_surveys",
        "schedule": settings.SURVEY_SCAN_SECONDS,
    },
    "send-due-reminders": {"task": "alliance.tasks.send_due_reminders", "schedule": 300.0},
    "expire-overdue-invitations": {
        "task": "alliance.tasks.expire_overdue_invitations",
        "schedule": 300.0,
    },
    "evaluate-missed-alert-rules": {
        "task": "alliance.tasks.evaluate_missed_alert_rules",
        "schedule": 60.0,
    },
    "escalate-unacknowledged-red-alerts": {
        "task": "alliance.tasks.escalate_unacknowledged_red_alerts",
        "schedule": 300.0,
    },
    "resume-stalled-imports": {
        "task": "practice.tasks.resume_stalled_imports",
        "schedule": settings.IMPORT_STALLED_AFTER_SECONDS / 2,
    },
    "send-due-briefs": {"task": "alliance.tasks.send_due_briefs", "schedule": 300.0},
    "prune-sign-in-links": {"task": "practice.tasks.prune_sign_in_links", "schedule": 3600.0},
    "prune-idempotency-records": {
        "task": "practice.tasks.prune_idempotency_records",
        "schedule": 3600.0,
    },
}


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_database_connections(sender=None, **kwargs) -> None:
    """What Django does around each request, around each task: a connection past
    CONN_MAX_AGE, or broken, is closed, and the next query opens a new one (after a health
    check, CONN_HEALTH_CHECKS). With CELERY_DB_REUSE_MAX set, Celery leaves this to us."""
    if not getattr(sender.request, "is_eager", False):
        close_old_connections()


# The connection that holds the beat lock, kept open for the life of the beat process.
_beat_lock_holders = []


@signals.beat_init.connect
def _run_as_the_only_beat(sender=None, **kwargs) -> None:
    """Beat starts ticking only once it holds the beat lock (`config/beat_lock.py`)."""
    if connection.vendor == "postgresql":
        _beat_lock_holders.append(wait_for_beat_lock())
