"""`make run`'s scheduler finds every job of the beat schedule in a fresh process, idempotency
pruning included, instead of logging NotRegistered until a task module happens to be loaded."""

import json
import subprocess

from tests.support import PROJECT_ROOT, VENV_PYTHON, environment_without

LIST_SCHEDULED = (
    "import django, json; django.setup(); "
    "from notifications.management.commands.serve_embedded import scheduled_tasks; "
    "print(json.dumps({name: task.name for name, task in scheduled_tasks().items()}))"
)


def test_every_scheduled_job_is_found_in_a_fresh_process():
    result = subprocess.run(
        [str(VENV_PYTHON), "-c", LIST_SCHEDULED],
        cwd=PROJECT_ROOT,
        env=environment_without("CELERY_BROKER_URL", DEBUG="true"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    scheduled = json.loads(result.stdout.strip().splitlines()[-1])
    assert scheduled["prune-idempotency-records"] == "practice.tasks.prune_idempotency_records"
