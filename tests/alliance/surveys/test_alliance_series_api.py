import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_response

pytestmark = pytest.mark.django_db


def _answer(practice, client, day: int, progress: int, **fields):
    answers = {"comfort": 10, "respect": 10, "heard": 10, "goals": 10, "progress": progress}
    with time_machine.travel(f"2026-05-{day:02d}T10:00:00Z", tick=False):
        return make_response(practice, client, answers=answers, **fields)


def test_the_series_lists_a_clients_answers_oldest_first(api_a, practice_a, client_a):
    later = _answer(practice_a.practice, client_a, day=9, progress=4, discuss_request=True)
    earlier = _answer(practice_a.practice, client_a, day=2, progress=10)

    body = api_a.get(f"/api/v1/clients/{client_a.pk}/alliance/").json()

    assert body["client"] == str(client_a.pk)
    assert [p["response"] for p in body["points"]] == [str(earlier.pk), str(later.pk)]
    first, second = body["points"]
    assert first | {"total": 50, "low": False, "discuss_request": False} == first
    assert second["items"]["progress"] == 4
    assert (second["total"], second["low"], second["discuss_request"]) == (44, True, True)
    assert second["session"] == str(later.session_id)
    assert second["answered_at"] == "2026-05-09T10:00:00Z"
    assert (second["instrument"], second["version"]) == ("alliance-check", 1)


def test_the_series_takes_the_same_queries_for_two_or_eight_answers(api_a, practice_a, client_a):
    counts = []
    for day in range(1, 9):
        _answer(practice_a.practice, client_a, day=day, progress=8)
        if day in (2, 8):
            api_a.get(f"/api/v1/clients/{client_a.pk}/alliance/")
            with CaptureQueriesContext(connection) as queries:
                api_a.get(f"/api/v1/clients/{client_a.pk}/alliance/")
            counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_chart_is_an_svg_with_the_threshold_and_flagged_answers(api_a, practice_a, client_a):
    _answer(practice_a.practice, client_a, day=2, progress=10)
    _answer(practice_a.practice, client_a, day=9, progress=3)

    response = api_a.get(f"/api/v1/clients/{client_a.pk}/alliance/chart/")

    svg = response.content.decode()
    assert response["Content-Type"] == "image/svg+xml"
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "threshold 45" in svg
    assert svg.count("<circle") == 1  # the good answer
    assert svg.count('<rect x="') - 1 == 1  # the low answer (besides the background)
    assert "2 answers, oldest first: 50, 43." in svg


def test_a_client_without_answers_gets_an_empty_chart(api_a, client_a):
    svg = api_a.get(f"/api/v1/clients/{client_a.pk}/alliance/chart/").content.decode()

    assert "No answers yet" in svg


def test_responses_filter_by_client(api_a, practice_a, client_a):
    mine = _answer(practice_a.practice, client_a, day=2, progress=10)
    _answer(practice_a.practice, None, day=3, progress=10)

    results = api_a.get("/api/v1/responses/", {"client": str(client_a.pk)}).json()["results"]

    assert [r["id"] for r in results] == [str(mine.pk)]
    assert results[0]["invitation"] == str(mine.invitation_id)


def test_the_chart_names_the_alerts_an_answer_raised(api_a, practice_a, client_a):
    _answer(practice_a.practice, client_a, day=2, progress=10, discuss_request=True)

    svg = api_a.get(f"/api/v1/clients/{client_a.pk}/alliance/chart/").content.decode()

    assert "(alerts: discuss_request)" in svg
    assert svg.count("<circle") == 0


def test_a_series_with_answers_is_read_in_one_query(api_a, practice_a, client_a):
    _answer(practice_a.practice, client_a, day=2, progress=8)
    api_a.get(f"/api/v1/clients/{client_a.pk}/alliance/")

    with CaptureQueriesContext(connection) as queries:
        api_a.get(f"/api/v1/clients/{client_a.pk}/alliance/")

    assert len(queries) == 1


def test_a_client_without_answers_has_an_empty_series(api_a, client_a):
    response = api_a.get(f"/api/v1/clients/{str(client_a.pk).upper()}/alliance/")

    assert response.status_code == 200
    assert response.json() == {"client": str(client_a.pk), "points": []}


def test_another_practices_client_with_answers_is_not_found(api_b, practice_a, client_a):
    _answer(practice_a.practice, client_a, day=2, progress=8)

    response = api_b.get(f"/api/v1/clients/{client_a.pk}/alliance/")
    unknown = api_b.get(f"/api/v1/clients/{uuid.uuid4()}/alliance/")

    assert response.status_code == 404
    assert response.json() == unknown.json()
