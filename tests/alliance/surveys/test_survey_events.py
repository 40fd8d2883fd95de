"""`survey.sent`, `survey.expired` and `client.opted_out`: ids and states, as they happen."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from alliance.surveys import tasks
from tests.factories import deliver_outbox, make_sent_invitation
from tests.webhook_helpers import events_of_type, subscribe

pytestmark = pytest.mark.django_db

EVENTS = ["survey.sent", "survey.expired", "client.opted_out"]


@pytest.fixture
def secret(api_a, webhook_receiver):
    return subscribe(api_a, webhook_receiver, EVENTS)


def test_a_sent_survey_is_announced_with_its_channel(
    practice_a, client_a, secret, webhook_receiver
):
    invitation, _ = make_sent_invitation(practice_a.practice, client_a)

    [sent] = events_of_type(secret, webhook_receiver, "survey.sent")
    assert sent["data"] == {
        "invitation": str(invitation.pk),
        "client": str(client_a.pk),
        "session": str(invitation.session_id),
        "status": "sent",
        "channel": "email",
    }


def test_an_expired_survey_is_announced(practice_a, client_a, secret, webhook_receiver):
    invitation, _ = make_sent_invitation(practice_a.practice, client_a)

    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        tasks.expire_overdue_invitations()
        deliver_outbox()
        [expired] = events_of_type(secret, webhook_receiver, "survey.expired")

    assert expired["data"]["invitation"] == str(invitation.pk)
    assert expired["data"]["status"] == "expired"


def test_the_clients_own_opt_out_is_announced_once(
    practice_a, client_a, secret, webhook_receiver, client
):
    _, token = make_sent_invitation(practice_a.practice, client_a)

    client.post(f"/s/{token}/stop/")
    client.post(f"/s/{token}/stop/")
    deliver_outbox()

    [opted_out] = events_of_type(secret, webhook_receiver, "client.opted_out")
    assert opted_out["data"]["client"] == str(client_a.pk)
    assert opted_out["data"]["survey_consent"] is False
    assert client_a.email not in json.dumps(opted_out)


def test_an_endpoint_gets_only_the_events_it_asked_for(
    api_a, practice_a, client_a, webhook_receiver
):
    only_expiries = subscribe(api_a, webhook_receiver, ["survey.expired"])

    make_sent_invitation(practice_a.practice, client_a)

    assert [e["type"] for e in events_of_type(only_expiries, webhook_receiver, "survey.sent")] == []
