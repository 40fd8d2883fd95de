"""Scoring each built-in instrument from the clinical reference."""

import pytest

from alliance.models import Instrument
from alliance.surveys.scoring import clean_answers, is_low, score

pytestmark = pytest.mark.django_db


def _built_in(code: str) -> Instrument:
    return Instrument.across_practices_unsafe.get(practice=None, code=code, version=1)


def test_alliance_check_sums_five_items_out_of_fifty():
    instrument = _built_in("alliance-check")
    answers = {"comfort": 9, "respect": 10, "heard": 8, "goals": 9, "progress": 7}

    scores = score(instrument, answers)

    assert instrument.total_range == (0, 50)
    assert (scores.total, scores.mean, scores.subscales) == (43, 8.6, {})
    assert [i["code"] for i in instrument.items if i.get("role") == "progress"] == ["progress"]


def test_alliance_check_is_low_below_45_or_with_any_item_below_9():
    instrument = _built_in("alliance-check")
    high = dict.fromkeys(instrument.item_codes, 9)

    assert not is_low(instrument, 45, high)
    assert is_low(instrument, 44, high)
    assert is_low(instrument, 46, high | {"heard": 8})


def test_srs_takes_one_decimal_and_flags_below_36():
    instrument = _built_in("srs")
    answers, errors = clean_answers(
        instrument,
        {"relationship": "9.5", "goals_topics": "8.7", "approach": "9", "overall": "8.9"},
    )

    scores = score(instrument, answers)

    assert errors == {}
    assert scores.total == 36.1
    assert instrument.total_range == (0, 40)
    assert not is_low(instrument, 36, dict.fromkeys(answers, 9))
    assert is_low(instrument, 35.9, dict.fromkeys(answers, 9))


def test_srs_refuses_a_second_decimal():
    _, errors = clean_answers(
        _built_in("srs"),
        {"relationship": "9.55", "goals_topics": "9", "approach": "9", "overall": "9"},
    )

    assert list(errors) == ["relationship"]


def test_wai_sr_stores_sum_mean_and_its_three_subscales():
    instrument = _built_in("wai-sr")
    answers = {
        f"q{n}": value
        for n, value in zip(range(1, 13), [5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4], strict=True)
    }

    scores = score(instrument, answers)

    assert instrument.total_range == (12, 60)
    assert scores.total == 39
    assert scores.mean == 3.25
    # Task = 1, 2, 10, 12; Goal = 4, 6, 8, 11; Bond = 3, 5, 7, 9.
    assert scores.subscales == {"task": 5 + 4 + 1 + 4, "goal": 2 + 5 + 3 + 5, "bond": 3 + 1 + 4 + 2}


def test_a_mean_scored_instrument_totals_by_the_mean():
    instrument = Instrument(
        items=[{"code": c, "min": 1, "max": 5, "step": 1} for c in "ab"],
        scoring={"method": "mean", "subscales": {"both": ["a", "b"]}},
    )

    scores = score(instrument, {"a": 2, "b": 5})

    assert (scores.total, scores.subscales, instrument.total_range) == (3.5, {"both": 3.5}, (1, 5))
