"""What the bench measures in its own process: write paths and alert evaluation."""

import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.utils import timezone

from alliance.alerts.services import alerts_evaluate_for_response
from alliance.models import SurveyResponse
from bench import workload
from practice.models import Session
from practice.tenancy import practice_scope


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _alternating(first: Callable[[int], object], second: Callable[[int], object], n: int):
    """Median seconds of `first(i)` and `second(i)` for i < n, run turn about."""
    a, b = [], []
    for i in range(n):
        a.append(_timed(lambda i=i: first(i)))
        b.append(_timed(lambda i=i: second(i)))
    return statistics.median(a), statistics.median(b)


def _checked(response, expected: int):
    if response.status_code != expected:
        raise RuntimeError(f"{response.status_code}, not {expected}: {response.content[:300]}")
    return response


@override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"], API_RATE_LIMIT="none")
def write_paths(practice, key: str, n: int) -> list[tuple[str, float, float]]:
    """(name, API ms, bare ms) for each write, the API's and the bare view's run turn about."""
    http = HttpClient(headers={"Authorization": f"Bearer {key}"})
    made = []
    try:
        booked = workload.bench_client(practice, sessions=1)
        made.append(booked)
        starts_at = (timezone.now() + timedelta(days=7)).isoformat()
        body = {"client": str(booked.pk), "starts_at": starts_at}
        create = _alternating(
            lambda _: _checked(http.post("/api/v1/sessions/", body, "application/json"), 201),
            lambda _: _checked(http.post("/bare/sessions/create/", body, "application/json"), 201),
            n,
        )
        scheduled = workload.bench_client(practice, sessions=2 * n, status=Session.Status.SCHEDULED)
        made.append(scheduled)
        with practice_scope(practice):
            in_order = scheduled.sessions.order_by("sequence")
            ids = [str(pk) for pk in in_order.values_list("pk", flat=True)]
        instrument = workload.alliance_check().pk
        complete = _alternating(
            lambda i: _checked(http.post(f"/api/v1/sessions/{ids[2 * i]}/complete/"), 200),
            lambda i: _checked(
                http.post(f"/bare/sessions/{ids[2 * i + 1]}/complete/?instrument={instrument}"),
                200,
            ),
            n,
        )
        answering = workload.bench_client(practice, sessions=2 * n)
        made.append(answering)
        tokens = workload.open_survey_links(answering)
        page = _alternating(
            lambda i: _checked(http.get(f"/s/{tokens[i]}/"), 200),
            lambda i: _checked(http.get(f"/bare/s/{tokens[n + i]}/"), 200),
            n,
        )
        answer = {code: str(value) for code, value in workload.ANSWER.items()}
        submit = _alternating(
            lambda i: _checked(http.post(f"/s/{tokens[i]}/", answer), 200),
            lambda i: _checked(http.post(f"/bare/s/{tokens[n + i]}/", answer), 200),
            n,
        )
    finally:
        workload.remove(made)
    return [
        ("session create", *create),
        ("session complete (plans a survey)", *complete),
        ("survey page GET", *page),
        ("survey page POST", *submit),
    ]


def alert_evaluation(practice, sizes: tuple[int, ...], repeat: int) -> dict[int, list[float]]:
    """Seconds of each evaluation of a client's latest answer, per length of history."""
    made = []
    timings = {}
    try:
        for size in sizes:
            client = workload.bench_client(practice, sessions=size)
            made.append(client)
            latest = workload.answered_history(client)
            runs = []
            for _ in range(repeat):
                SurveyResponse.across_practices_unsafe.filter(pk=latest.pk).update(
                    alerts_evaluated_at=None
                )
                with practice_scope(practice):
                    runs.append(
                        _timed(lambda pk=latest.pk: alerts_evaluate_for_response(response_id=pk))
                    )
            timings[size] = runs
    finally:
        workload.remove(made)
    return timings
