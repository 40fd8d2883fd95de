"""Reliable change (Jacobson & Truax 1991), computed without rounding."""

import pytest

from alliance.alerts import statistics


def test_the_threshold_for_sd_5_and_r_88_is_4_801_unrounded():
    assert statistics.reliable_change_threshold(5, 0.88) == pytest.approx(4.801, abs=1e-5)


def test_a_fall_of_4_80_on_sd_5_and_r_88_is_not_reliable():
    assert not statistics.is_reliable_fall(4.80, 5, 0.88)


def test_a_fall_of_4_81_on_sd_5_and_r_88_is_reliable():
    assert statistics.is_reliable_fall(4.81, 5, 0.88)
