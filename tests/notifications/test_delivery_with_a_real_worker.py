"""The delivery pipeline end to end: the API, PostgreSQL, Redis, a Celery worker, SMTP."""

import re

import pytest
from django.test import Client as BrowserClient

from notifications.models import OutboxMessage
from tests.factories import (
    SEND_AT_ONCE,
    make_client,
    make_practice,
    make_session,
    set_survey_policy,
)
from tests.support import wait_for

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(180),
]


def test_a_session_completed_over_the_api_sends_exactly_one_email_with_a_working_link(
    publish_to, smtp_server, start_worker
):
    practice = make_practice()
    set_survey_policy(practice.practice, **SEND_AT_ONCE)
    client = make_client(practice.practice)
    session = make_session(practice.practice, client=client)
    worker = start_worker()
    api = BrowserClient(HTTP_AUTHORIZATION=f"Bearer {practice.api_key}")

    response = api.post(f"/api/v1/sessions/{session.pk}/complete/")
    wait_for(smtp_server.count, timeout=60, what="the survey email")
    wait_for(
        lambda: OutboxMessage.across_practices_unsafe.filter(status="sent").exists(),
        timeout=30,
        what="the message to be recorded as sent",
    )
    worker.wait_for_sweeps(3)

    assert response.status_code == 200
    (received,) = smtp_server.received
    assert received.to == client.email
    token = re.search(r"/s/([A-Za-z0-9_-]{43})/", received.body).group(1)
    assert BrowserClient().get(f"/s/{token}/").status_code == 200
    sent = OutboxMessage.across_practices_unsafe.get()
    assert sent.provider_message_id == received.message_id


def test_two_workers_draining_one_outbox_send_every_message_once(
    publish_to, smtp_server, start_worker
):
    practice = make_practice()
    set_survey_policy(practice.practice, **SEND_AT_ONCE)
    sessions = [
        make_session(practice.practice, client=make_client(practice.practice)) for _ in range(40)
    ]
    smtp_server.accept_delay = 0.05  # so that both workers' batches are under way at once
    start_worker(name="first")
    start_worker(name="second", beat=False)
    api = BrowserClient(HTTP_AUTHORIZATION=f"Bearer {practice.api_key}")

    for session in sessions:
        api.post(f"/api/v1/sessions/{session.pk}/complete/")
    wait_for(
        lambda: OutboxMessage.across_practices_unsafe.filter(status="sent").count() == 40,
        timeout=120,
        what="every message to be recorded as sent",
    )

    per_message = smtp_server.by_message_id()
    assert len(per_message) == 40
    assert set(per_message.values()) == {1}
    # Each worker sends over its own connection: both took part.
    assert len({received.peer for received in smtp_server.received}) == 2
