"""Benchmarks (`make bench`): timings reported as ratios measured in one run, never asserted,
since these machines are shared and noisy."""

import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.alerts.services import alerts_evaluate_for_response
from alliance.models import SurveyResponse
from practice.tenancy import practice_scope
from tests.alliance.alerts.test_alerts import _history
from tests.factories import make_client, make_session

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def _median_seconds(action, repeat: int = 15) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _report(capsys, line: str) -> None:
    with capsys.disabled():
        print(f"\n[bench] {line}")


def test_rule_evaluation_for_a_long_history(practice_a, practice_b, capsys):
    latest = {}
    for practice, count in ((practice_a.practice, 3), (practice_b.practice, 300)):
        latest[count] = (practice, _history(practice, make_client(practice), count))

    def evaluate(count):
        practice, response = latest[count]
        SurveyResponse.across_practices_unsafe.filter(pk=response.pk).update(
            alerts_evaluated_at=None
        )
        with practice_scope(practice), CaptureQueriesContext(connection) as queries:
            alerts_evaluate_for_response(response_id=response.pk)
        return len(queries)

    short, long = (_median_seconds(lambda c=c: evaluate(c)) for c in (3, 300))
    _report(
        capsys,
        f"rule evaluation: 3 answers {short * 1000:.2f} ms, 300 answers {long * 1000:.2f} ms "
        f"(ratio {long / short:.2f}); {evaluate(300)} queries either way",
    )


def test_session_list_by_page_size(api_a, practice_a, capsys):
    client = make_client(practice_a.practice)
    for _ in range(200):
        make_session(practice_a.practice, client=client)

    small, large = (
        _median_seconds(lambda s=s: api_a.get("/api/v1/sessions/", {"page_size": s}))
        for s in (10, 200)
    )
    _report(
        capsys,
        f"GET /api/v1/sessions/: page of 10 {small * 1000:.1f} ms, page of 200 "
        f"{large * 1000:.1f} ms (ratio {large / small:.2f}, 20x the rows)",
    )
