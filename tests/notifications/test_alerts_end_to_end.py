"""High answers then a low one reach the clinician as an emailed alert and a prompt, both
by signed webhook, through the API, PostgreSQL, Redis, a Celery worker, an SMTP server and an
HTTP receiver."""

import re
import time

import pytest
import standardwebhooks
from django.test import Client as BrowserClient

from notifications.models import WebhookEndpoint
from practice.tenancy import practice_scope
from tests.factories import (
    SEND_AT_ONCE,
    make_client,
    make_practice,
    make_session,
    set_survey_policy,
)
from tests.services import WebhookReceiver
from tests.support import wait_for

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(180),
]

HIGH = {"comfort": "10", "respect": "10", "heard": "10", "goals": "10", "progress": "10"}
LOW = {"comfort": "7", "respect": "8", "heard": "6", "goals": "7", "progress": "5"}


@pytest.fixture
def receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


def _answer_next_survey(api, smtp_server, session, answers) -> None:
    """Complete the session over the API, wait for its survey email, answer it on the page."""
    emails_before = smtp_server.count()
    api.post(f"/api/v1/sessions/{session.pk}/complete/")
    wait_for(lambda: smtp_server.count() > emails_before, timeout=60, what="the survey email")
    token = re.search(r"/s/([A-Za-z0-9_-]{43})/", smtp_server.received[-1].body).group(1)
    page = BrowserClient()
    assert page.get(f"/s/{token}/").status_code == 200
    assert page.post(f"/s/{token}/", answers).status_code == 200


def test_a_fall_alerts_the_clinician_by_email_and_webhook_and_the_low_answer_prompts(
    publish_to, smtp_server, start_worker, receiver, capsys
):
    practice = make_practice()
    set_survey_policy(practice.practice, **SEND_AT_ONCE)
    client = make_client(practice.practice)
    sessions = [make_session(practice.practice, client=client) for _ in range(3)]
    api = BrowserClient(HTTP_AUTHORIZATION=f"Bearer {practice.api_key}")
    secret = api.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["alert.created", "alert.updated"]},
        content_type="application/json",
    ).json()["secret"]
    start_worker()

    _answer_next_survey(api, smtp_server, sessions[0], HIGH)
    _answer_next_survey(api, smtp_server, sessions[1], HIGH)
    answered_low = time.monotonic()
    _answer_next_survey(api, smtp_server, sessions[2], LOW)
    wait_for(
        lambda: (
            sum(e.to == client.clinician.email for e in smtp_server.received) >= 1
            and len(receiver.requests) >= 2
        ),
        timeout=60,
        what="the clinician's alert emails and the webhooks",
    )
    seconds_to_alert = time.monotonic() - answered_low

    alerts = {a["kind"]: a for a in api.get("/api/v1/alerts/").json()["results"]}
    assert alerts["low_score"]["severity"] == "prompt"
    assert alerts["drop"]["severity"] in ("amber", "red")
    alert_emails = [e for e in smtp_server.received if e.to == client.clinician.email]
    assert [re.search(r"/app/alerts/([0-9a-f-]+)/", e.body).group(1) for e in alert_emails] == [
        alerts["drop"]["id"]
    ]
    assert all(client.name not in e.subject + e.body for e in alert_emails)
    verifier = standardwebhooks.Webhook(secret)
    events = [
        verifier.verify(r["body"], {k.lower(): v for k, v in r["headers"].items()})
        for r in receiver.requests
    ]
    assert {e["type"] for e in events} == {"alert.created"}
    assert {e["data"]["kind"] for e in events} == {"low_score", "drop"}
    with practice_scope(practice.practice):
        assert WebhookEndpoint.objects.get().active
    with capsys.disabled():
        print(
            f"\n[alerts end to end] low answer submitted to alert email and webhook: "
            f"{seconds_to_alert:.2f} s"
        )
