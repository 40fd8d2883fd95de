"""The pages cost a fixed number of queries, however many alerts and answers there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tests.alliance.alerts.pages import make_alert
from tests.members import signed_in

pytestmark = pytest.mark.django_db


def _queries(browser, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(path).status_code == 200
    return len(captured)


def _clients_with_alerts(practice, clinician, count: int) -> None:
    for _ in range(count):
        client = factories.make_client(practice, clinician=clinician)
        make_alert(practice, client)
        factories.make_session(
            practice, client=client, starts_at=timezone.now() + timedelta(minutes=30)
        )


def test_today_costs_the_same_for_one_client_to_discuss_and_for_six(
    practice_a, clinician_member_a, clinician_a
):
    _clients_with_alerts(practice_a.practice, clinician_a, 1)
    browser = signed_in(clinician_member_a)
    one = _queries(browser, "/app/")

    _clients_with_alerts(practice_a.practice, clinician_a, 5)

    assert _queries(browser, "/app/") == one


def test_a_clients_page_costs_the_same_for_one_answer_and_for_four(
    practice_a, clinician_member_a, client_a
):
    make_alert(practice_a.practice, client_a)
    browser = signed_in(clinician_member_a)
    one = _queries(browser, f"/app/clients/{client_a.pk}/")

    for _ in range(3):
        factories.make_response(practice_a.practice, client_a)

    assert _queries(browser, f"/app/clients/{client_a.pk}/") == one
