"""Each alert rule on constructed histories (the clinical reference's defaults)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from alliance.alerts import rules
from alliance.alerts.rules import DEFAULT_RULES, Answer

START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
ITEMS = ("comfort", "respect", "heard", "goals", "progress")


def answer(n: int, *, total: float | None = None, progress: float = 10, days=None, **fields):
    """The n-th weekly alliance-check answer: every item 10 except `progress`."""
    items = dict.fromkeys(ITEMS, 10) | {"progress": progress}
    base = Answer(
        response_id=f"r{n}",
        session_id=f"s{n}",
        answered_at=START + timedelta(days=7 * n if days is None else days),
        instrument_code="alliance-check",
        instrument_version=1,
        total=sum(items.values()) if total is None else total,
        total_range=(0, 50),
        items=items,
        item_ranges=dict.fromkeys(ITEMS, (0, 10)),
        progress_item="progress",
        threshold=45,
        item_threshold=9,
        standard_deviation=None,
        reliability=None,
        discuss_request=False,
    )
    return replace(base, **fields)


def newest_first(*answers):
    return sorted(answers, key=lambda a: a.answered_at, reverse=True)


LOW = DEFAULT_RULES["low_score"]
DROP = DEFAULT_RULES["drop"]
NO_PROGRESS = DEFAULT_RULES["no_progress"]


# low_score


def test_a_total_at_the_threshold_is_not_low():
    assert rules.low_score([answer(1, total=45, progress=9)], LOW) is None


def test_a_total_just_below_the_threshold_is_low_and_amber():
    finding = rules.low_score([answer(1, total=44.9, progress=9.0)], LOW)

    assert (finding.kind, finding.severity) == ("low_score", "amber")
    assert finding.evidence["threshold"] == 45
    assert finding.evidence["total"] == 44.9


def test_one_item_below_nine_is_low_even_with_a_high_total():
    finding = rules.low_score([answer(1, progress=8)], LOW)

    assert finding.evidence["low_items"] == {"progress": 8}


def test_the_second_low_answer_in_a_row_is_red():
    finding = rules.low_score(newest_first(answer(1, progress=5), answer(2, progress=6)), LOW)

    assert finding.severity == "red"
    assert finding.evidence["consecutive_low"] == 2
    assert [r["response"] for r in finding.evidence["responses"]] == ["r2", "r1"]


def test_a_low_answer_after_a_good_one_is_amber():
    finding = rules.low_score(newest_first(answer(1), answer(2, progress=6)), LOW)

    assert finding.severity == "amber"


def test_an_item_missing_from_an_answer_is_not_counted_low():
    partial = replace(answer(1), items={"comfort": 10, "respect": 10})

    assert rules.low_score([partial], LOW) is None


# drop


def test_the_first_answer_of_an_episode_never_drops():
    assert rules.drop([answer(1, total=10)], [answer(1, total=10)], DROP) is None


def test_a_fall_of_exactly_a_tenth_of_the_range_is_a_drop():
    history = newest_first(answer(1, total=50), answer(2, total=45))

    finding = rules.drop(history, history[::-1], DROP)

    assert finding.evidence["meaningful_fall"] == 5
    assert finding.evidence["method"] == "share_of_range"
    assert finding.evidence["from_previous"]["fall"] == 5
    assert finding.severity == "amber"


def test_a_fall_just_short_of_a_tenth_is_not_a_drop():
    history = newest_first(answer(1, total=50), answer(2, total=45.1))

    assert rules.drop(history, history[::-1], DROP) is None


def test_a_fall_of_twice_the_amount_is_red():
    history = newest_first(answer(1, total=50), answer(2, total=40))

    assert rules.drop(history, history[::-1], DROP).severity == "red"


def test_the_reliable_change_matches_the_clinical_references_worked_example():
    assert round(rules.reliable_change(5, 0.88), 2) == 4.80


def test_an_instrument_with_norms_drops_by_reliable_change():
    norms = {"standard_deviation": 5, "reliability": 0.88}
    history = newest_first(answer(1, total=50, **norms), answer(2, total=45.2, **norms))
    just_short = newest_first(answer(1, total=50, **norms), answer(2, total=45.3, **norms))

    finding = rules.drop(history, history[::-1], DROP)

    assert (finding.evidence["method"], finding.evidence["meaningful_fall"]) == (
        "reliable_change",
        4.8,
    )
    assert rules.drop(just_short, just_short[::-1], DROP) is None


def test_from_the_fourth_answer_a_fall_below_the_baseline_mean_is_a_drop():
    baseline = [answer(1, total=50), answer(2, total=48), answer(3, total=46)]
    fourth = answer(4, total=43)  # 3 below the previous, 5 below the baseline mean of 48

    finding = rules.drop(newest_first(fourth, baseline[-1]), baseline, DROP)

    assert "from_previous" not in finding.evidence
    assert finding.evidence["from_baseline"]["baseline_mean"] == 48
    assert finding.evidence["from_baseline"]["fall"] == 5


def test_the_third_answer_is_never_compared_with_a_baseline():
    baseline = [answer(1, total=50), answer(2, total=48), answer(3, total=46)]

    assert rules.drop(newest_first(baseline[2], baseline[1]), baseline, DROP) is None


def test_totals_of_another_instrument_version_with_another_scale_are_not_compared():
    other_scale = answer(1, total=60, instrument_version=2, total_range=(0, 60))
    history = newest_first(other_scale, answer(2, total=40))

    assert rules.drop(history, history[::-1], DROP) is None


# no_progress


def monthly(progress_values, *, days_apart=30):
    return [answer(i, progress=v, days=i * days_apart) for i, v in enumerate(progress_values)]


def test_six_months_of_low_progress_that_does_not_rise_fires():
    finding = rules.no_progress(monthly([5, 6, 4, 5, 5, 5, 5]), NO_PROGRESS)

    assert finding.kind == "no_progress"
    assert finding.evidence["progress_values"] == [5, 6, 4, 5, 5, 5, 5]
    assert finding.evidence["span_days"] == 180


def test_a_client_who_feels_they_are_progressing_never_gets_no_progress():
    assert rules.no_progress(monthly([8, 9, 8, 9, 9, 9, 9]), NO_PROGRESS) is None


def test_one_answer_at_seven_stops_no_progress():
    assert rules.no_progress(monthly([5, 5, 7, 5, 5, 5, 5]), NO_PROGRESS) is None


def test_rising_low_progress_is_not_no_progress():
    assert rules.no_progress(monthly([3, 4, 4, 5, 5, 6, 6]), NO_PROGRESS) is None


def test_fewer_than_five_months_of_answers_is_not_enough():
    assert rules.no_progress(monthly([5, 5, 5, 5], days_apart=30), NO_PROGRESS) is None


def test_fewer_than_three_answers_is_not_enough():
    assert rules.no_progress(monthly([5, 5], days_apart=160), NO_PROGRESS) is None


# discuss_request and non_response


def test_asking_to_talk_is_red():
    finding = rules.discuss_request(
        answer(1, discuss_request=True), DEFAULT_RULES["discuss_request"]
    )

    assert (finding.kind, finding.severity) == ("discuss_request", "red")


@pytest.mark.parametrize(
    ("statuses", "fires"),
    [
        (["expired", "expired", "expired"], True),
        (["expired", "expired", "completed"], False),
        (["expired", "expired"], False),
        (["expired", "expired", "expired", "completed"], True),
    ],
)
def test_three_expired_invitations_in_a_row_is_non_response(statuses, fires):
    latest = [(f"i{n}", status) for n, status in enumerate(statuses)]

    finding = rules.non_response(latest, DEFAULT_RULES["non_response"])

    assert (finding is not None) == fires


def test_practice_settings_override_the_defaults_rule_by_rule():
    merged = rules.merged_rules({"drop": {"share_of_range": 0.2}})

    assert merged["drop"]["share_of_range"] == 0.2
    assert merged["drop"]["red_multiple"] == 2.0
    assert merged["low_score"] == DEFAULT_RULES["low_score"]
