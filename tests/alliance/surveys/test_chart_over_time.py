"""The alliance chart stands answers apart by the time between them, with dates on its axis."""

import re
from datetime import UTC, datetime, timedelta

from alliance.surveys.charts import ChartPoint, alliance_chart_svg

START = datetime(2026, 5, 4, 15, tzinfo=UTC)


def _x_positions(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]


def test_answers_a_week_and_ten_weeks_apart_stand_that_far_apart():
    days = [0, 7, 70]
    points = [ChartPoint(START + timedelta(days=d), 40, flagged=False) for d in days]

    svg = alliance_chart_svg(points, low=0, high=50, threshold=45, title="Alliance")

    first, second, third = _x_positions(svg)
    assert round((third - first) / (second - first), 1) == 10


def test_the_axis_is_dated_from_the_first_answer_to_the_last():
    points = [ChartPoint(START + timedelta(days=d), 40, flagged=False) for d in (0, 40)]

    svg = alliance_chart_svg(points, low=0, high=50, threshold=45, title="Alliance")

    dates = re.findall(r'class="axis-date"[^>]*>([\d-]+)<', svg)
    assert dates[0] == "2026-05-04"
    assert dates[-1] == "2026-06-13"
    assert dates == sorted(dates) and len(dates) == 5
