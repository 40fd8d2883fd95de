"""A delivery task takes its message and a batch of its practice's other due emails."""

import uuid
from email.utils import parseaddr
from unittest import mock

import pytest
from django.core import mail

from alliance.models import SurveyLink
from alliance.surveys.selectors import survey_link_for_token
from notifications import services
from notifications.models import OutboxMessage
from notifications.tasks import deliver_message
from practice.tenancy import practice_scope
from tests.factories import deliver_outbox, make_client, token_from_email, write_survey_email

pytestmark = pytest.mark.django_db


def _outbox():
    return OutboxMessage.across_practices_unsafe.order_by("created_at", "id")


def _deliver_from(message, **kwargs) -> dict:
    mail.outbox.clear()
    with practice_scope(message.practice):
        return services.messages_deliver(message_id=message.pk, **kwargs)


def _message_of(invitation) -> OutboxMessage:
    return _outbox().get(context__invitation=str(invitation.pk))


def _run_task_of(invitation) -> None:
    """As a worker runs the task queued for the invitation's email."""
    deliver_message(str(invitation.practice_id), str(_message_of(invitation).pk))


def test_one_task_delivers_every_due_email_of_its_practice(practice_a):
    invitations = [write_survey_email(practice_a.practice) for _ in range(3)]
    mail.outbox.clear()

    _run_task_of(invitations[-1])

    assert set(_outbox().values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 3


def test_a_task_never_claims_another_practices_emails_which_its_own_tasks_deliver(
    practice_a, practice_b
):
    a_first, b_only, a_second = [
        write_survey_email(p.practice) for p in (practice_a, practice_b, practice_a)
    ]
    mail.outbox.clear()

    _run_task_of(a_first)
    b_untouched = _message_of(b_only)
    sent_by_a = sorted(email.to[0] for email in mail.outbox)
    _run_task_of(b_only)

    assert sent_by_a == sorted(i.client.email for i in (a_first, a_second))
    assert (b_untouched.status, b_untouched.attempts, b_untouched.claim_token) == (
        "pending",
        0,
        None,
    )
    assert mail.outbox[-1].to == [b_only.client.email]
    assert set(_outbox().values_list("status", flat=True)) == {"sent"}


def test_a_task_whose_message_a_batch_took_delivers_nothing_again(practice_a):
    for _ in range(2):
        write_survey_email(practice_a.practice)
    messages = list(_outbox())
    _deliver_from(messages[0])

    assert _deliver_from(messages[1]) == {}
    assert mail.outbox == []


def test_each_email_is_its_own_practices(practice_a, practice_b):
    invitations = [write_survey_email(p.practice) for p in (practice_a, practice_b) * 2]
    expected = {invitation.client.email: invitation for invitation in invitations}
    mail.outbox.clear()

    deliver_outbox()

    assert len(mail.outbox) == 4
    for email in mail.outbox:
        invitation = expected[email.to[0]]
        practice = invitation.practice
        link = survey_link_for_token(token_from_email(email))
        assert (link.invitation_id, link.practice_id) == (invitation.pk, practice.pk)
        assert parseaddr(email.from_email)[0] == practice.name
        assert practice.name in email.body
        other = practice_b if practice == practice_a.practice else practice_a
        assert other.practice.name not in email.body + email.from_email


def test_an_address_suppressed_by_one_practice_still_gets_the_other_practices_email(
    practice_a, practice_b
):
    address = "shared@example.org"
    with practice_scope(practice_a.practice):
        services.address_suppress(address=address, reason="complained")
    to_a, to_b = [
        write_survey_email(p.practice, make_client(p.practice, email=address))
        for p in (practice_a, practice_b)
    ]
    mail.outbox.clear()

    deliver_outbox()

    assert [(email.to, parseaddr(email.from_email)[0]) for email in mail.outbox] == [
        ([address], practice_b.practice.name)
    ]
    assert (_message_of(to_a).status, _message_of(to_b).status) == ("failed", "sent")


def test_a_message_that_fails_in_a_batch_does_not_stop_the_others(practice_a):
    invitations = [write_survey_email(practice_a.practice) for _ in range(3)]
    refused = invitations[1].client.email
    real_send = services.send_over_kept_connection

    def send(email):
        if email.to == [refused]:
            raise ConnectionResetError("the connection dropped mid-send")
        real_send(email)

    with mock.patch.object(services, "send_over_kept_connection", send):
        outcomes = _deliver_from(_outbox().first())

    assert sorted(outcomes.values()) == ["pending", "sent", "sent"]
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        i.client.email for i in invitations if i.client.email != refused
    )
    retried = _outbox().get(status="pending")
    assert "ConnectionResetError" in retried.last_error
    assert retried.claim_token is None


def test_a_message_whose_rendering_fails_in_a_batch_fails_alone(practice_a):
    broken = [write_survey_email(practice_a.practice) for _ in range(3)][1]
    broken_message = _outbox().get(context__invitation=str(broken.pk))
    OutboxMessage.across_practices_unsafe.filter(pk=broken_message.pk).update(
        context={"invitation": "not an id"}
    )

    outcomes = _deliver_from(_outbox().first())

    assert outcomes[broken_message.pk] == "pending"
    assert sorted(outcomes.values()) == ["pending", "sent", "sent"]
    assert len(mail.outbox) == 2


def test_a_batch_past_its_time_gives_back_what_it_has_not_started(practice_a, settings):
    for _ in range(3):
        write_survey_email(practice_a.practice)
    settings.OUTBOX_BATCH_SECONDS = 0

    outcomes = _deliver_from(_outbox().first())

    assert list(outcomes.values()) == ["sent"]
    given_back = _outbox().filter(status="pending")
    assert given_back.count() == 2
    assert {(m.attempts, m.claim_token, m.queued_at) for m in given_back} == {(0, None, None)}


def test_a_row_another_delivery_claims_between_the_read_and_the_claim_stays_its_own(
    practice_a, monkeypatch
):
    """As on SQLite, which takes no row locks: the other delivery's claim lands after this one
    read the due rows and before its own claim."""
    for _ in range(3):
        write_survey_email(practice_a.practice)
    own, *others = _outbox()
    others_token = uuid.uuid4()
    read_due = services._batch_ids

    def read_then_lose_the_race(*args):
        ids = read_due(*args)
        OutboxMessage.across_practices_unsafe.filter(pk__in=[m.pk for m in others]).update(
            status="claimed", claim_token=others_token
        )
        return ids

    monkeypatch.setattr(services, "_batch_ids", read_then_lose_the_race)
    outcomes = _deliver_from(own)

    assert outcomes == {own.pk: "sent"}
    assert len(mail.outbox) == 1
    assert set(_outbox().exclude(pk=own.pk).values_list("status", "claim_token")) == {
        ("claimed", others_token)
    }


def test_a_batch_past_its_time_renders_nothing_it_gives_back(practice_a, settings):
    invitations = [write_survey_email(practice_a.practice) for _ in range(3)]
    settings.OUTBOX_BATCH_SECONDS = 0

    _deliver_from(_message_of(invitations[0]))

    given_back = [i for i in invitations if _message_of(i).status == "pending"]
    assert len(given_back) == 2
    # Rendering issues the email's link (and revokes the client's earlier one).
    assert not SurveyLink.across_practices_unsafe.filter(invitation__in=given_back).exists()


def test_a_batch_takes_no_more_than_its_size(practice_a, settings):
    for _ in range(4):
        write_survey_email(practice_a.practice)
    settings.OUTBOX_BATCH_SIZE = 2

    outcomes = _deliver_from(_outbox().last())

    assert len(outcomes) == 3  # its own message, and two others
    assert _outbox().filter(status="pending").count() == 1


def _webhook_message(practice) -> OutboxMessage:
    """A webhook due now, to an endpoint that no longer exists (its delivery cancels it)."""
    return OutboxMessage.across_practices_unsafe.create(
        practice=practice,
        kind=OutboxMessage.Kind.WEBHOOK,
        channel=OutboxMessage.Channel.WEBHOOK,
        recipient="endpoint",
        context={"endpoint": "00000000-0000-0000-0000-000000000000"},
    )


def test_an_email_batch_takes_no_webhook(practice_a):
    write_survey_email(practice_a.practice)
    webhook = _webhook_message(practice_a.practice)

    outcomes = _deliver_from(_outbox().filter(channel="email").first())

    assert list(outcomes.values()) == ["sent"]
    webhook.refresh_from_db()
    assert webhook.status == "pending"


def test_a_webhook_task_claims_only_its_own_message(practice_a):
    write_survey_email(practice_a.practice)
    webhook = _webhook_message(practice_a.practice)

    outcomes = _deliver_from(webhook)

    assert outcomes == {webhook.pk: "cancelled"}
    assert mail.outbox == []
    assert _outbox().get(channel="email").status == "pending"


def _tried_before(message) -> None:
    """As the sweep leaves a message whose worker was lost: pending again, one attempt spent."""
    OutboxMessage.across_practices_unsafe.filter(pk=message.pk).update(attempts=1)


def test_a_message_tried_before_is_delivered_alone(practice_a):
    for _ in range(3):
        write_survey_email(practice_a.practice)
    lost = _outbox().last()
    _tried_before(lost)

    outcomes = _deliver_from(lost)

    assert outcomes == {lost.pk: "sent"}
    assert _outbox().filter(status="pending").count() == 2


def test_a_batch_leaves_out_messages_tried_before(practice_a):
    for _ in range(3):
        write_survey_email(practice_a.practice)
    lost = _outbox().last()
    _tried_before(lost)

    outcomes = _deliver_from(_outbox().first())

    assert len(outcomes) == 2
    assert _outbox().get(status="pending") == lost
