"""Faults in delivery: a worker killed mid-send, Redis stopped, an SMTP server refusing.

Each test runs its own Redis, SMTP server and workers; the machine's shared services stay up.
"""

import statistics
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as BrowserClient

from alliance.models import SurveyInvitation
from notifications.models import OutboxMessage
from tests.factories import (
    SEND_AT_ONCE,
    make_client,
    make_practice,
    make_session,
    set_survey_policy,
)
from tests.support import kill_process_group, wait_for

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(240),
]

MESSAGES = 20


def _practice_with_sessions(count: int):
    practice = make_practice()
    set_survey_policy(practice.practice, **SEND_AT_ONCE)
    sessions = [
        make_session(practice.practice, client=make_client(practice.practice)) for _ in range(count)
    ]
    return practice, BrowserClient(HTTP_AUTHORIZATION=f"Bearer {practice.api_key}"), sessions


def _sent_count() -> int:
    return OutboxMessage.across_practices_unsafe.filter(status="sent").count()


def test_a_worker_killed_mid_send_loses_nothing_and_repeats_at_most_the_message_in_flight(
    publish_to, smtp_server, start_worker, capsys
):
    _, api, sessions = _practice_with_sessions(MESSAGES)
    smtp_server.accept_delay = 0.2  # each send takes a while, so the kill lands inside one
    first = start_worker(name="doomed")
    for session in sessions:
        api.post(f"/api/v1/sessions/{session.pk}/complete/")

    # The test workers take batches of 5: the kill lands inside the second.
    wait_for(lambda: smtp_server.count() >= 7, timeout=60, what="a few emails before the kill")
    kill_process_group(first.process)
    first.process = None
    received_before_restart = smtp_server.count()
    # Claimed by the dead worker's batch and not sent: handed out again after the lease.
    held_back = OutboxMessage.across_practices_unsafe.filter(status="claimed").count()
    start_worker(name="replacement")
    wait_for(lambda: _sent_count() == MESSAGES, timeout=90, what="every message to be sent")

    per_message = smtp_server.by_message_id()
    repeated = {message_id: n for message_id, n in per_message.items() if n > 1}
    sent = OutboxMessage.across_practices_unsafe.filter(status="sent")
    assert len(per_message) == MESSAGES
    assert set(per_message) == set(sent.values_list("provider_message_id", flat=True))
    # Only the message whose SMTP accept came before the worker could record it may repeat.
    assert len(repeated) <= 1
    windows = _accept_to_recorded_seconds(
        smtp_server, sent.exclude(provider_message_id__in=repeated)
    )
    with capsys.disabled():
        print(
            f"\n[worker killed] {MESSAGES} messages, {received_before_restart} received before "
            f"the kill, {held_back} claimed and not recorded then (handed out again after the "
            "lease), "
            f"{len(repeated)} repeated. The duplicate window, SMTP accept to `sent` "
            f"recorded: median {statistics.median(windows) * 1000:.1f} ms, "
            f"max {max(windows) * 1000:.1f} ms over {len(windows)} messages"
        )


def _accept_to_recorded_seconds(smtp_server, sent) -> list[float]:
    accepted = {received.message_id: received.accepted_at for received in smtp_server.received}
    return [message.sent_at.timestamp() - accepted[message.provider_message_id] for message in sent]


def test_with_redis_stopped_the_api_keeps_answering_and_everything_goes_out_when_it_returns(
    publish_to, smtp_server, start_worker, capsys
):
    _, api, sessions = _practice_with_sessions(MESSAGES)
    publish_to.stop()

    started = time.monotonic()
    statuses = [api.post(f"/api/v1/sessions/{s.pk}/complete/").status_code for s in sessions]
    seconds_per_request = (time.monotonic() - started) / len(sessions)
    health = BrowserClient().get("/readyz")
    publish_to.start_on_same_port()
    start_worker()
    wait_for(lambda: _sent_count() == MESSAGES, timeout=90, what="every message to be sent")

    assert statuses == [200] * MESSAGES
    assert health.status_code == 503
    assert SurveyInvitation.across_practices_unsafe.filter(status="sent").count() == MESSAGES
    assert len(smtp_server.by_message_id()) == MESSAGES
    assert max(smtp_server.by_message_id().values()) == 1
    with capsys.disabled():
        print(
            f"\n[redis stopped] {MESSAGES} sessions completed at {seconds_per_request * 1000:.0f} "
            "ms per request with the broker down; all delivered once after it returned"
        )


def test_an_smtp_server_refusing_leads_to_retries_then_a_visible_failure_then_an_admin_retry(
    publish_to, smtp_server, start_worker, client
):
    _, api, sessions = _practice_with_sessions(1)
    # OUTBOX_MAX_ATTEMPTS is 3 for the test workers: two temporary refusals, then a permanent
    # one of the message (a refused mailbox would suppress the address instead).
    smtp_server.refusals = [
        "451 4.3.0 Try again later",
        "451 4.3.0 Try again later",
        "554 5.7.1 Message refused",
    ]
    start_worker()

    api.post(f"/api/v1/sessions/{sessions[0].pk}/complete/")
    wait_for(
        lambda: OutboxMessage.across_practices_unsafe.filter(status="failed").exists(),
        timeout=60,
        what="the message to fail",
    )
    failed = api.get("/api/v1/messages/", {"status": "failed"}).json()["results"]
    admin = get_user_model().objects.create_superuser("ops", "ops@example.org", "pw-12345")
    client.force_login(admin)
    client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "retry", "_selected_action": [failed[0]["id"]]},
    )
    wait_for(smtp_server.count, timeout=60, what="the retried message")

    assert len(failed) == 1
    assert failed[0]["attempts"] == 3
    assert "554" in failed[0]["last_error"]
    assert smtp_server.count() == 1
    wait_for(lambda: _sent_count() == 1, timeout=30, what="the retry to be recorded")
