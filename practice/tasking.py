"""How work is handed to Celery workers, and how a task enters its practice.

Producers queue tasks by name, so that no service imports a `tasks.py` (tasks import services,
never the other way). Tasks take ids only: the practice's id first, then the ids of the rows to
work on.
"""

import logging
from collections.abc import Callable
from functools import wraps

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

from practice.tenancy import practice_scope_by_id

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *ids) -> None:
    """Queue `task_name` with these ids once the current transaction commits.

    With the broker down the change still stands: the beat job that scans for that kind of
    work (due surveys, unevaluated answers, the outbox sweep) queues it later.
    """
    args = tuple(str(i) for i in ids)
    transaction.on_commit(lambda: enqueue_now_rollback_unsafe(task_name, *args), robust=True)


def enqueue_now_rollback_unsafe(task_name: str, *ids) -> None:
    """Queue `task_name` at once. Inside a transaction that may still roll back, a worker could
    look for rows that never come to exist: use `enqueue_on_commit` there. Beat's fan-out jobs,
    which run outside transactions, use this."""
    try:
        current_app.tasks[task_name].delay(*(str(i) for i in ids))
    except BrokerUnavailable:
        logger.warning("Broker unavailable; %s waits for its beat scan", task_name)


def task_in_practice_scope(task: Callable[..., None]) -> Callable[..., None]:
    """Run a task inside the practice whose id is its first argument; the task itself takes the
    remaining ids."""

    @wraps(task)
    def run_in_practice(practice_id: str, *ids: str) -> None:
        with practice_scope_by_id(practice_id):
            task(*ids)

    return run_in_practice
