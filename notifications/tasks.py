"""Celery tasks for delivery: thin, they take ids and call services."""

from celery import shared_task

from notifications import services
from practice.tenancy import practice_scope_by_id


# Delivery is idempotent (a compare-and-swap claim), so it is acknowledged only when done and
# given back to the queue if its worker dies.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_message(practice_id: str, message_id: str) -> None:
    with practice_scope_by_id(practice_id):
        services.message_deliver(message_id=message_id)


@shared_task(ignore_result=True)
def sweep_outbox() -> None:
    services.outbox_sweep()
