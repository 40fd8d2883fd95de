"""A delivery's commits skip the wait for the disk's flush; whatever ends the batch, the
worker's connection is left committing as usual (or closed, if it died)."""

from unittest import mock

import pytest
from django.db import OperationalError, connection

from notifications import services
from notifications.models import OutboxMessage
from practice.tenancy import practice_scope


def _due_email(practice) -> OutboxMessage:
    return OutboxMessage.across_practices_unsafe.create(
        practice=practice,
        kind=OutboxMessage.Kind.SURVEY_INVITATION,
        recipient="client:00000000-0000-0000-0000-000000000000",
        context={"invitation": "00000000-0000-0000-0000-000000000000"},
    )


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _deliver_with_a_batch_that(fails, message) -> None:
    with (
        mock.patch.object(services, "_deliver_batch", side_effect=fails),
        practice_scope(message.practice),
    ):
        services.messages_deliver(message_id=message.pk)


@pytest.mark.django_db
def test_after_a_batch_that_raised_the_connection_commits_durably_again(practice_a):
    message = _due_email(practice_a.practice)

    with pytest.raises(RuntimeError, match="the batch broke"):
        _deliver_with_a_batch_that(RuntimeError("the batch broke"), message)

    assert _synchronous_commit() == "on"


def _kill_own_connection(*args):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_that_died_in_a_batch_raises_what_killed_it_and_is_replaced(practice_a):
    message = _due_email(practice_a.practice)

    with pytest.raises(OperationalError, match="terminating connection"):
        _deliver_with_a_batch_that(_kill_own_connection, message)

    assert _synchronous_commit() == "on"
