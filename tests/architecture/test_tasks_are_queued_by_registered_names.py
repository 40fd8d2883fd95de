"""Producers queue tasks by name (`practice.tasking`); a name that no task has would be lost
silently in the broker."""

import ast
import re

from config.celery import app as celery_app
from tests.support import PROJECT_ROOT

TASK_NAME = re.compile(r"^(practice|alliance|notifications)\.tasks\.\w+$")

# Names of tasks that may sit in a queue while a new release is deployed: they never change.
STABLE_TASK_NAMES = {
    "alliance.tasks.send_survey_invitation",
    "alliance.tasks.send_survey_reminder",
    "alliance.tasks.expire_survey_invitation",
    "alliance.tasks.send_due_invitations",
    "alliance.tasks.send_due_reminders",
    "alliance.tasks.expire_overdue_invitations",
    "alliance.tasks.evaluate_alerts_for_response",
    "alliance.tasks.evaluate_non_response",
    "alliance.tasks.evaluate_missed_alert_rules",
    "alliance.tasks.escalate_alert",
    "alliance.tasks.escalate_unacknowledged_red_alerts",
    "notifications.tasks.deliver_message",
    "notifications.tasks.sweep_outbox",
    "practice.tasks.prune_idempotency_records",
}


def _task_names_written_in_the_code() -> set[str]:
    names = set()
    for app in ("practice", "alliance", "notifications", "config"):
        for path in (PROJECT_ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
                if is_text and TASK_NAME.match(node.value):
                    names.add(node.value)
    return names


def test_every_task_name_written_in_the_code_is_registered():
    written = _task_names_written_in_the_code()
    assert "notifications.tasks.deliver_message" in written
    assert written - set(celery_app.tasks) == set()


def test_task_names_stay_the_same_across_releases():
    assert STABLE_TASK_NAMES - set(celery_app.tasks) == set()
