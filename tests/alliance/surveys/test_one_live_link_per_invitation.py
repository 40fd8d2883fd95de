"""A client holds one live link per invitation: an email rendered again (after a lost delivery
record) or a reminder carries a new link, and the earlier one stops answering."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from alliance.models import SurveyInvitation, SurveyLink
from alliance.surveys import services as survey_services
from notifications import services as notification_services
from notifications.models import OutboxMessage
from practice.models import Client
from practice.tenancy import practice_scope
from tests.factories import deliver_outbox, make_sent_invitation, token_from_email

pytestmark = pytest.mark.django_db


def _latest_token() -> str:
    return token_from_email([m for m in mail.outbox if "/s/" in m.body][-1])


def test_a_resend_after_a_lost_delivery_record_revokes_the_first_link(client, practice_a, client_a):
    invitation, first = make_sent_invitation(practice_a.practice, client_a)
    message = OutboxMessage.across_practices_unsafe.get(kind="survey_invitation")
    # The mail server accepted it, then the database went away before `sent` was recorded.
    OutboxMessage.across_practices_unsafe.filter(pk=message.pk).update(
        status="claimed", claimed_at=message.created_at, sent_at=None
    )

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        notification_services.outbox_sweep()
        deliver_outbox()
        second = _latest_token()
        first_page = client.get(f"/s/{first}/")
        second_page = client.get(f"/s/{second}/")

    assert second != first
    assert first_page.status_code == 410
    assert "replaced by a newer one" in first_page.content.decode()
    assert second_page.status_code == 200
    assert (
        SurveyLink.across_practices_unsafe.filter(invitation=invitation, revoked_at=None).count()
        == 1
    )


def test_a_reminders_link_replaces_the_first(client, practice_a, client_a):
    invitation, first = make_sent_invitation(practice_a.practice, client_a)
    with practice_scope(practice_a.practice):
        SurveyInvitation.objects.filter(pk=invitation.pk).update(remind_at=timezone.now())
        assert survey_services.invitation_remind(invitation_id=invitation.pk)
    deliver_outbox()
    reminder = _latest_token()

    assert client.get(f"/s/{first}/").status_code == 410
    assert (
        client.post(
            f"/s/{reminder}/",
            {"comfort": "8", "respect": "8", "heard": "8", "goals": "8", "progress": "8"},
        ).status_code
        == 200
    )


def test_the_stop_link_of_a_replaced_email_still_stops_surveys(client, practice_a, client_a):
    invitation, first = make_sent_invitation(practice_a.practice, client_a)
    with practice_scope(practice_a.practice):
        survey_services.survey_link_issue(invitation=invitation, channel="email")

    assert client.post(f"/s/{first}/stop/").status_code == 200
    client_a.refresh_from_db()
    assert client_a.survey_consent is False
    assert Client.across_practices_unsafe.get(pk=client_a.pk).survey_consent is False
