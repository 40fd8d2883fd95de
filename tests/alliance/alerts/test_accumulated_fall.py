"""A fall measured against the client's own level and spread, accumulated over answers."""

import pytest

from alliance.alerts import statistics

SETTINGS = {
    "allowance": 0.75,
    "baseline_answers": 8,
    "min_baseline_answers": 2,
    "prior_weight": 4,
    "min_spread_share": 0.75,
}


def fall(totals, pooled=1.5, **settings):
    return statistics.accumulated_fall(totals, pooled_spread=pooled, **(SETTINGS | settings))


def test_there_is_no_evidence_before_the_client_has_a_baseline():
    assert fall([40, 30]) is None


def test_an_answer_at_the_usual_level_gives_no_evidence():
    assert fall([40, 39, 41, 40, 40]) is None


def test_a_fall_sustained_over_two_answers_accumulates():
    one = fall([40, 39, 41, 40, 37])
    two = fall([40, 39, 41, 40, 37, 37])

    assert two.accumulated > one.accumulated
    assert (two.run_answers, two.run_start) == (2, 4)


def test_the_run_stays_out_of_the_baseline_it_is_measured_against():
    evidence = fall([40, 39, 41, 40, 37, 37])

    assert evidence.baseline_mean == pytest.approx(40)
    assert evidence.fall == pytest.approx(3)


def test_a_recovery_ends_the_run():
    assert fall([40, 39, 41, 40, 34, 40, 41]) is None


def test_a_client_pinned_at_the_maximum_is_measured_with_the_pooled_spread_floor():
    evidence = fall([50, 50, 50, 50, 50, 50, 47])

    assert evidence.spread == pytest.approx(0.75 * 1.5)


def test_a_clients_own_spread_is_shrunk_toward_the_pooled_one():
    spread = statistics.shrunk_spread([30, 40], pooled=1.5, prior_weight=4, floor_share=0.75)

    assert 1.5 < spread < statistics.math.sqrt(50)


def test_the_pooled_spread_is_the_median_of_clients_who_vary():
    varying = [[10, 12, 14]] * 10
    pinned = [[50, 50, 50]] * 20

    assert statistics.pooled_within_client_spread(varying + pinned) == pytest.approx(2)


def test_too_few_varying_clients_give_no_pooled_spread():
    assert statistics.pooled_within_client_spread([[10, 12, 14]] * 9) is None
