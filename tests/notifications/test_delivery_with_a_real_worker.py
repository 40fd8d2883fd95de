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
