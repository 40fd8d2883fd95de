"""Celery tasks for the practice app: thin, they call services."""

from celery import shared_task

from practice import imports, services
from practice.tasking import task_in_practice_scope


@shared_task(name="practice.tasks.prune_idempotency_records", ignore_result=True)
def prune_idempotency_records() -> None:
    services.idempotency_records_prune()


@shared_task(ignore_result=True)
@task_in_practice_scope
def process_bulk_import(bulk_import_id: str) -> None:
    """Take chunks of an import for a while, then queue the rest (see `practice.imports`)."""
    try:
        imports.bulk_import_process(bulk_import_id=bulk_import_id)
    except Exception:
        # A chunk that fails the same way every time must not be retried for ever; what
        # committed stays, and putting the file again resumes (rows are put by external id).
        imports.bulk_import_fail(
            bulk_import_id=bulk_import_id,
            detail="Stopped by an internal error; put the file again to finish it.",
        )
        raise


@shared_task(ignore_result=True)
def resume_stalled_imports() -> None:
    imports.bulk_imports_resume_stalled()
