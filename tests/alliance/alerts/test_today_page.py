"""*Today*: the member's sessions of the day whose clients have something to discuss, then
every open alert and prompt, the most severe first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.alliance.alerts.pages import make_alert
from tests.members import signed_in

pytestmark = pytest.mark.django_db


def _later_today(hours: int = 1):
    return timezone.now() + timedelta(hours=hours)


def test_it_lists_todays_sessions_whose_clients_have_open_alerts(
    practice_a, clinician_member_a, client_a, clinician_a
):
    make_alert(practice_a.practice, client_a)
    quiet = factories.make_client(practice_a.practice, clinician=clinician_a, name="Quiet One")
    factories.make_session(practice_a.practice, client=quiet, starts_at=_later_today())
    factories.make_session(practice_a.practice, client=client_a, starts_at=_later_today())

    page = signed_in(clinician_member_a).get("/app/").content.decode()

    sessions_part = page.split("Open alerts and prompts")[0]
    assert client_a.name in sessions_part
    assert "Quiet One" not in page
    assert "Wants to talk about it" in page


def test_a_clinician_sees_only_their_own_clients_alerts(
    practice_a, clinician_member_a, colleague_a, client_a
):
    make_alert(practice_a.practice, client_a)

    page = signed_in(colleague_a).get("/app/").content.decode()

    assert client_a.name not in page
    assert "Nothing open" in page


def test_an_owner_sees_the_whole_practice(practice_a, owner_a, client_a):
    make_alert(practice_a.practice, client_a)

    page = signed_in(owner_a).get("/app/").content.decode()

    assert client_a.name in page


def test_another_practices_alerts_never_show(practice_a, client_a, outsider_b):
    make_alert(practice_a.practice, client_a)

    page = signed_in(outsider_b).get("/app/").content.decode()

    assert client_a.name not in page


def test_today_needs_a_signed_in_member(client):
    response = client.get("/app/")

    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
