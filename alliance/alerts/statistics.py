"""Statistics of change against a client's own history: plain functions over numbers.

Alliance answers crowd at the top of the scale, and clients differ in how much their answers
move from session to session. So a fall is measured against the client's own recent level and
usual spread, the spread shrunk toward the pooled within-client spread while the client has
few answers (and never far below it, since answers pinned at the maximum say nothing about
how far they move when they move), and evidence accumulates over consecutive answers (a lower
CUSUM, Page 1954) so that a fall sustained over two sessions adds up while single-session
noise does not.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# Jacobson & Truax (1991): a change is reliable when it reaches 1.96 standard errors of
# the difference.
RELIABLE_CHANGE_Z = 1.96

# Without a practice's own answers, the within-client spread as a share of the scale's range:
# SRS-like data vary by about 1.5-2.3 points of 40 from session to session (the clinical
# reference), 0.05 of the range.
DEFAULT_SPREAD_SHARE = 0.05
# Fewer clients than this with varying answers: the practice's pooled spread is too unsteady.
MIN_CLIENTS_FOR_POOLED_SPREAD = 10


def reliable_change_threshold(standard_deviation: float, reliability: float) -> float:
    """The smallest reliable change, 1.96 · S_diff with S_diff = √2 · SD · √(1 - r), unrounded:
    4.801 for SD 5 and r .88."""
    return RELIABLE_CHANGE_Z * math.sqrt(2) * standard_deviation * math.sqrt(1 - reliability)


def is_reliable_fall(fall: float, standard_deviation: float, reliability: float) -> bool:
    """A fall of 4.80 on SD 5, r .88 is not reliable; 4.81 is."""
    return fall >= reliable_change_threshold(standard_deviation, reliability)


def pooled_within_client_spread(series: Sequence[Sequence[float]]) -> float | None:
    """The typical session-to-session spread of a practice's clients on one scale: the median
    of each client's standard deviation, over clients with at least three answers that vary.

    A median, so that a few clients in rupture do not widen every client's spread; clients
    pinned at one value are left out, since they show no spread to pool. None when fewer than
    `MIN_CLIENTS_FOR_POOLED_SPREAD` clients qualify.
    """
    spreads = [
        math.sqrt(_variance(totals))
        for totals in series
        if len(totals) >= 3 and len(set(totals)) > 1
    ]
    if len(spreads) < MIN_CLIENTS_FOR_POOLED_SPREAD:
        return None
    return statistics.median(spreads)


def _variance(values: Sequence[float]) -> float:
    """The sample variance in floating point (the `statistics` module's exact arithmetic is
    too slow for the validation harness's millions of calls)."""
    mean = math.fsum(values) / len(values)
    return math.fsum((value - mean) ** 2 for value in values) / (len(values) - 1)


def shrunk_spread(
    totals: Sequence[float], *, pooled: float, prior_weight: float, floor_share: float
) -> float:
    """The client's spread, shrunk toward `pooled` as if the pooled value came from
    `prior_weight` extra degrees of freedom, and never below `floor_share` of `pooled`."""
    degrees = len(totals) - 1
    own = _variance(totals) if degrees > 0 else 0.0
    weight = prior_weight + degrees
    variance = (prior_weight * pooled**2 + degrees * own) / weight if weight else pooled**2
    return max(math.sqrt(variance), floor_share * pooled)


@dataclass(frozen=True)
class FallEvidence:
    """How far the latest answer and those before it in the same run sit below the client's
    usual level, in numbers."""

    accumulated: float  # the CUSUM statistic after the latest answer, in spreads
    baseline_mean: float  # the client's usual level before the run
    spread: float  # the client's usual session-to-session variation (±)
    baseline_answers: int
    latest: float
    run_start: int  # index of the run's first answer (the fall's onset)
    run_answers: int

    @property
    def fall(self) -> float:
        return self.baseline_mean - self.latest


def accumulated_fall(
    totals: Sequence[float],
    *,
    pooled_spread: float,
    allowance: float,
    baseline_answers: int,
    min_baseline_answers: int,
    prior_weight: float,
    min_spread_share: float,
) -> FallEvidence | None:
    """The evidence of a fall at the last of `totals` (comparable answers, oldest first).

    Each answer is standardised against the level and spread of up to `baseline_answers`
    answers before the current run, z = (mean - x) / (spread · √(1 + 1/n)), and accumulated
    as S = max(0, S + z - allowance), and S = 0 when an answer is back at the usual level. A run
    is the stretch of answers with S above zero; its answers stay out of the baseline, so a
    sustained fall is not absorbed into the level it is measured against. None while the
    client has too few answers for a baseline, or when the latest answer ends any run.
    """
    accumulated = 0.0
    run_start = 0
    evidence = None
    for index, latest in enumerate(totals):
        baseline = totals[max(0, run_start - baseline_answers) : run_start]
        if len(baseline) < min_baseline_answers:
            accumulated, run_start, evidence = 0.0, index + 1, None
            continue
        mean = statistics.fmean(baseline)
        spread = shrunk_spread(
            baseline, pooled=pooled_spread, prior_weight=prior_weight, floor_share=min_spread_share
        )
        standardised = (mean - latest) / (spread * math.sqrt(1 + 1 / len(baseline)))
        # An answer back at the usual level ends the run at once: after a recovery, a new fall
        # is a new run, never absorbed into the evidence of the last one.
        accumulated = max(0.0, accumulated + standardised - allowance) if standardised > 0 else 0.0
        if accumulated == 0.0:
            run_start, evidence = index + 1, None
            continue
        evidence = FallEvidence(
            accumulated=accumulated,
            baseline_mean=mean,
            spread=spread,
            baseline_answers=len(baseline),
            latest=latest,
            run_start=run_start,
            run_answers=index - run_start + 1,
        )
    return evidence
