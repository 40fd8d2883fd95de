"""The alerts page shows each alert's actions, read for the whole page in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.alliance.alerts.pages import make_alert

pytestmark = pytest.mark.django_db


def _acknowledged_alerts(api, practice, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        alert = make_alert(practice, factories.make_client(practice))
        api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": "seen"}, format="json")
        ids.append(str(alert.pk))
    return ids


def _queries_of_the_alerts_page(api) -> tuple[int, dict]:
    api.get("/api/v1/alerts/")  # the key's last use is written once a minute at most
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/alerts/").json()
    return len(queries), {alert["id"]: alert["actions"] for alert in body["results"]}


def test_each_alert_of_the_page_lists_its_own_actions(api_a, practice_a):
    ids = _acknowledged_alerts(api_a, practice_a.practice, 3)

    _, actions = _queries_of_the_alerts_page(api_a)

    assert [[(a["kind"], a["note"]) for a in actions[alert_id]] for alert_id in ids] == [
        [("acknowledged", "seen")]
    ] * 3


def test_the_page_reads_actions_in_one_query_however_many_alerts(api_a, practice_a):
    _acknowledged_alerts(api_a, practice_a.practice, 2)
    few, _ = _queries_of_the_alerts_page(api_a)
    _acknowledged_alerts(api_a, practice_a.practice, 4)

    many, actions = _queries_of_the_alerts_page(api_a)

    assert len(actions) == 6
    assert many == few
