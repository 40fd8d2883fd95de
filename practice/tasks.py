"""Celery tasks for the practice app: thin, they call services."""

from celery import shared_task

from practice import services


@shared_task(name="practice.tasks.prune_idempotency_records", ignore_result=True)
def prune_idempotency_records() -> None:
    services.idempotency_records_prune()
