"""The alert's page: its evidence in words, and acknowledging, resolving, "talked about it in
session" and a new episode, each recorded with who did it."""

import pytest
from django.core import mail
from django.test import Client

from alliance.models import Alert, AlertAction
from notifications.models import OutboxMessage
from notifications.services import webhook_endpoint_create
from practice.tenancy import practice_scope
from tests.alliance.alerts.pages import make_alert
from tests.factories import deliver_outbox, make_session
from tests.members import ask_for_sign_in_link, post_form, sign_in_link_path, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert_a(practice_a, client_a):
    return make_alert(practice_a.practice, client_a, comment="Felt rushed.")


def _alert(alert) -> Alert:
    return Alert.across_practices_unsafe.get(pk=alert.pk)


def test_it_shows_why_in_plain_words(clinician_member_a, alert_a, client_a):
    page = signed_in(clinician_member_a).get(f"/app/alerts/{alert_a.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "The client asked to talk about this next session." in text
    assert client_a.name in text


def test_acknowledging_records_the_member_and_the_note(clinician_member_a, alert_a):
    browser = signed_in(clinician_member_a)

    answer = post_form(
        browser, f"/app/alerts/{alert_a.pk}/acknowledge/", {"acknowledge-note": "Seen."}
    )

    assert answer.status_code == 303
    assert answer["Location"] == f"/app/alerts/{alert_a.pk}/"
    assert (_alert(alert_a).status, _alert(alert_a).acknowledged_by) == (
        "acknowledged",
        clinician_member_a.email,
    )
    action = AlertAction.across_practices_unsafe.get(alert=alert_a)
    assert (action.kind, action.member_id, action.by, action.note) == (
        "acknowledged",
        clinician_member_a.pk,
        clinician_member_a.email,
        "Seen.",
    )
    assert "Seen." in browser.get(f"/app/alerts/{alert_a.pk}/").content.decode()


def test_resolving_sends_an_alert_updated_webhook_naming_the_member_by_id(
    practice_a, clinician_member_a, alert_a
):
    with practice_scope(practice_a.practice):
        webhook_endpoint_create(url="https://a.example/hook", events=["alert.updated"])

    post_form(
        signed_in(clinician_member_a),
        f"/app/alerts/{alert_a.pk}/resolve/",
        {"resolve-note": "Talked it through."},
    )

    assert _alert(alert_a).status == "resolved"
    (webhook,) = OutboxMessage.across_practices_unsafe.filter(kind=OutboxMessage.Kind.WEBHOOK)
    payload = webhook.context["payload"]
    assert (payload["type"], payload["data"]["status"]) == ("alert.updated", "resolved")
    assert payload["data"]["by"] == {"type": "member", "id": str(clinician_member_a.pk)}


def test_talked_about_in_session_is_linked_to_the_session(clinician_member_a, alert_a):
    session_id = str(alert_a.session_id)

    answer = post_form(
        signed_in(clinician_member_a),
        f"/app/alerts/{alert_a.pk}/discussed/",
        {"discussed-session": session_id, "discussed-note": "Agreed a slower pace."},
    )

    assert answer.status_code == 303
    action = AlertAction.across_practices_unsafe.get(alert=alert_a)
    assert (action.kind, str(action.session_id)) == ("discussed", session_id)
    assert _alert(alert_a).status == "acknowledged"


def test_a_session_of_another_client_cannot_be_linked(practice_a, clinician_member_a, alert_a):
    other = make_session(practice_a.practice, client=None)

    answer = post_form(
        signed_in(clinician_member_a),
        f"/app/alerts/{alert_a.pk}/discussed/",
        {"discussed-session": str(other.pk)},
    )

    assert answer.status_code == 400
    assert not AlertAction.across_practices_unsafe.exists()


def test_a_new_episode_starts_from_the_alert(clinician_member_a, alert_a, client_a):
    answer = post_form(signed_in(clinician_member_a), f"/app/alerts/{alert_a.pk}/new-episode/")

    assert answer.status_code == 303
    client_a.refresh_from_db()
    assert client_a.episode_started_at is not None
    assert AlertAction.across_practices_unsafe.get(alert=alert_a).kind == "new_episode"


def test_acknowledging_a_resolved_alert_is_refused_on_the_page(clinician_member_a, alert_a):
    browser = signed_in(clinician_member_a)
    post_form(browser, f"/app/alerts/{alert_a.pk}/resolve/")

    answer = post_form(browser, f"/app/alerts/{alert_a.pk}/acknowledge/")

    assert answer.status_code == 409
    assert _alert(alert_a).status == "resolved"


def test_the_alert_email_leads_a_signed_out_member_to_the_alert_after_signing_in(
    clinician_member_a, alert_a
):
    deliver_outbox()
    alert_email = next(m for m in mail.outbox if f"/app/alerts/{alert_a.pk}/" in m.body)
    browser = Client()
    to_sign_in = browser.get(f"/app/alerts/{alert_a.pk}/")
    next_path = to_sign_in["Location"].split("next=")[1].replace("%2F", "/")
    ask_for_sign_in_link(browser, clinician_member_a.email, next_path=next_path)

    landed = post_form(browser, sign_in_link_path())

    assert alert_email.to == [clinician_member_a.clinician.email]
    assert landed["Location"] == f"/app/alerts/{alert_a.pk}/"
    assert browser.get(landed["Location"]).status_code == 200
