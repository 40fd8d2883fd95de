"""Celery tasks for the practice app: thin, they take ids and call services."""

import smtplib

from celery import shared_task

from practice import imports, services, sign_in
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


# A sign-in link is good for minutes, so it is not kept in the outbox for hours of retries: a
# few quick ones, and then the member asks again.
@shared_task(
    name="practice.tasks.send_sign_in_link",
    ignore_result=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    max_retries=3,
    retry_backoff=5,
)
@task_in_practice_scope
def send_sign_in_link(link_id: str) -> None:
    sign_in.sign_in_link_send(link_id=link_id)


@shared_task(name="practice.tasks.prune_sign_in_links", ignore_result=True)
def prune_sign_in_links() -> None:
    sign_in.sign_in_links_prune()
