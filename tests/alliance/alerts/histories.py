"""Constructed histories for the evaluation core: weekly alliance-check-like answers."""

from datetime import UTC, datetime, timedelta

from alliance.alerts.defaults import merged_rules
from alliance.alerts.evaluation import Context
from alliance.alerts.rules import Answer, Instrument, Scale

START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
ITEMS = ("comfort", "respect", "heard", "goals", "progress")
CHECK = Instrument(
    scale=Scale("alliance-check", "sum", tuple((code, 0, 10) for code in ITEMS)),
    threshold=45,
    item_threshold=9,
    progress_item="progress",
)
# A usual variation of 1.5 points for every client, so that tests can reason in spreads.
CONTEXT = Context(rules=merged_rules({}), pooled_spreads={CHECK.scale: 1.5})


def answer(week: int, total: float, *, instrument=CHECK, items=None, discuss=False, days=None):
    """The answer of `week`; items all equal (so none is low above 45) unless given."""
    if items is None:
        items = dict.fromkeys((code for code, _, _ in instrument.scale.items), 10)
    return Answer(
        response_id=f"r{week}",
        answered_at=START + timedelta(days=7 * week if days is None else days),
        instrument=instrument,
        total=total,
        items=items,
        discuss_request=discuss,
    )


def history(*totals, instrument=CHECK):
    return [answer(week, total, instrument=instrument) for week, total in enumerate(totals)]
