"""Celery tasks for delivery: thin, they take ids and call services."""

from celery import shared_task

from notifications import services
from practice.tasking import task_in_practice_scope


# Delivery is idempotent (a compare-and-swap claim), so it is acknowledged only when done and
# given back to the queue if its worker dies. The task delivers its message and a batch of its
# practice's other due emails.
@shared_task(
    name="notifications.tasks.deliver_message",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
@task_in_practice_scope
def deliver_message(message_id: str) -> None:
    services.messages_deliver(message_id=message_id)


@shared_task(name="notifications.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> None:
    services.outbox_sweep()
