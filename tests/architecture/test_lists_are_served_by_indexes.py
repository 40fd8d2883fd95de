"""Every list's filter and order are served by an index: a page costs the same in a practice of
a few sessions and in one of tens of thousands, since PostgreSQL reads only the page's rows
instead of scanning or sorting all of the practice's."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practice.models import Client, Practice, Session
from practice.services import api_key_create
from practice.tenancy import practice_scope
from tests.conftest import api_client_for

# Twenty practices of 50 clients and one of 300, about 13,000 sessions: fewer rows per table
# than ANALYZE samples, so that its statistics, and the plans, are the same on every run.
NETWORK = {
    "practices": 20,
    "clients_per_practice": 50,
    "large_practices": 1,
    "large_practice_clients": 300,
    "seed": 3,
}
SINCE = "2000-01-01T00:00:00Z"


@pytest.fixture
def network(db):
    """The network seeded, analysed, and a key of its large practice."""
    call_command("seed_demo", stdout=io.StringIO(), **NETWORK)
    large = Practice.objects.get(slug__startswith="demo-s3-large")
    with practice_scope(large):
        _, raw_key = api_key_create(name="explain")
        client = Client.objects.order_by("id").first()
    return {"key": raw_key, "client": str(client.pk), "clinician": str(client.clinician_id)}


def _lists(network) -> list[tuple[str, dict]]:
    client, clinician = network["client"], network["clinician"]
    changes = [{"updated_since": SINCE}, {"ordering": "updated_at"}, {"ordering": "-updated_at"}]
    lists = [
        ("/api/v1/clinicians/", [{}, *changes]),
        ("/api/v1/clients/", [{}, {"clinician": clinician}, {"status": "active"}, *changes]),
        (
            "/api/v1/sessions/",
            [
                {},
                {"client": client},
                {"clinician": clinician},
                {"status": "completed"},
                {"ordering": "starts_at"},
                {"ordering": "-starts_at", "starts_after": SINCE},
                *changes,
            ],
        ),
        ("/api/v1/survey-invitations/", [{}, {"client": client}, *changes]),
        ("/api/v1/responses/", [{}, {"client": client}, *changes]),
        ("/api/v1/alerts/", [{}, {"client": client}, {"status": "open"}, *changes]),
        ("/api/v1/messages/", [{}, *changes]),
        (f"/api/v1/clients/{client}/alliance/", [{}]),
    ]
    return [(path, params) for path, variants in lists for params in variants]


def _plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


def _page_query(api, path: str, params: dict) -> tuple[str, dict]:
    with CaptureQueriesContext(connection) as queries:
        answer = api.get(path, params)
    assert answer.status_code == 200, answer.content
    # The page's own query: the list's rows in order (a key looked up orders too).
    (page,) = [
        q["sql"] for q in queries if "ORDER BY" in q["sql"] and "practice_apikey" not in q["sql"]
    ]
    return page, answer.json()


def _problems(sql: str, *, after_cursor: bool = False) -> list[str]:
    with connection.cursor() as cursor:
        # Whether an index *can* serve the page, whatever the sizes of the test's tables make
        # cheapest: the planner scans or sorts the whole table only where no index serves.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (row,) = cursor.fetchone()
    plan = (json.loads(row) if isinstance(row, str) else row)[0]["Plan"]
    problems = []
    if after_cursor:
        # The scan starts at the cursor, rather than reading and skipping the pages before it.
        first_ordered = re.search(r'ORDER BY "\w+"\."(\w+)"', sql).group(1)
        conditions = " ".join(n.get("Index Cond", "") for n in _plan_nodes(plan))
        if first_ordered not in conditions:
            problems.append(f"the scan is not bounded by the cursor's {first_ordered}")
    for node in _plan_nodes(plan):
        if node["Node Type"] == "Seq Scan" and node["Relation Name"] != "alliance_instrument":
            problems.append(f"sequential scan of {node['Relation Name']}")
        if node["Node Type"] == "Sort":
            scanned = [n for n in _plan_nodes(node) if "Index Cond" in n or "Recheck Cond" in n]
            conditions = " ".join(n.get("Index Cond", n.get("Recheck Cond", "")) for n in scanned)
            # Sorting one client's or one clinician's rows is fine; sorting the practice's is not.
            if not any(column in conditions for column in ("client_id", "clinician_id")):
                problems.append(f"sort by {node['Sort Key']} over {conditions or 'a scan'}")
    return problems


def test_every_list_page_is_read_through_an_index(network):
    api = api_client_for(network["key"])
    found = {}
    for path, params in _lists(network):
        first, body = _page_query(api, path, params)
        found[(path, str(params), "first page")] = _problems(first)
        if body.get("next"):
            later, _ = _page_query(api, body["next"], {})
            found[(path, str(params), "next page")] = _problems(later, after_cursor=True)

    assert {where: problems for where, problems in found.items() if problems} == {}
    assert Session.across_practices_unsafe.count() > 10_000
