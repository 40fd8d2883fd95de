"""The alert rules, as plain functions over a client's answers.

Each rule looks at numbers only and returns a `Finding` (the kind, a severity, and the evidence
a clinician needs to see why) or None. The defaults are the clinical reference's
(`../shared/clinical-reference.md`); every number is a practice setting.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_RULES = {
    "low_score": {"enabled": True, "severity": "amber", "red_after_consecutive": 2},
    "drop": {
        "enabled": True,
        "severity": "amber",
        "share_of_range": 0.10,
        "red_multiple": 2.0,
        "baseline_answers": 3,
    },
    "no_progress": {
        "enabled": True,
        "severity": "amber",
        "window_days": 183,
        "min_answers": 3,
        "min_span_days": 150,
        "below_share_of_range": 0.7,
    },
    "discuss_request": {"enabled": True, "severity": "red"},
    "non_response": {"enabled": True, "severity": "amber", "consecutive_expired": 3},
    "escalation": {"red_unacknowledged_hours": 48},
}

SEVERITY_RANK = {"amber": 1, "red": 2}


def merged_rules(overrides: dict) -> dict:
    """The defaults with a practice's settings laid over them, rule by rule."""
    return {name: defaults | overrides.get(name, {}) for name, defaults in DEFAULT_RULES.items()}


@dataclass(frozen=True)
class Answer:
    """One response, as the rules see it."""

    response_id: str
    session_id: str
    answered_at: datetime
    instrument_code: str
    instrument_version: int
    total: float
    total_range: tuple[float, float]
    items: dict[str, float]
    item_ranges: dict[str, tuple[float, float]]
    progress_item: str | None
    threshold: float | None
    item_threshold: float | None
    standard_deviation: float | None
    reliability: float | None
    discuss_request: bool

    @property
    def low_items(self) -> dict[str, float]:
        if self.item_threshold is None:
            return {}
        return {code: v for code, v in self.items.items() if v < self.item_threshold}

    @property
    def is_low(self) -> bool:
        below_total = self.threshold is not None and self.total < self.threshold
        return below_total or bool(self.low_items)

    def comparable_with(self, other: "Answer") -> bool:
        """Totals compare only on the same instrument and scale (a new version may differ)."""
        return self.instrument_code == other.instrument_code and (
            self.total_range == other.total_range
        )


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    evidence: dict


def reliable_change(standard_deviation: float, reliability: float) -> float:
    """The smallest reliable change (Jacobson & Truax 1991): 1.96 · √2 · SD · √(1 - r)."""
    return 1.96 * math.sqrt(2) * standard_deviation * math.sqrt(1 - reliability)


def meaningful_fall(answer: Answer, settings: dict) -> tuple[float, str]:
    """How far a total must fall to count, and by which method."""
    if answer.standard_deviation is not None and answer.reliability is not None:
        return round(reliable_change(answer.standard_deviation, answer.reliability), 2), (
            "reliable_change"
        )
    low, high = answer.total_range
    return round(settings["share_of_range"] * (high - low), 2), "share_of_range"


def _ref(answer: Answer) -> dict:
    return {
        "response": answer.response_id,
        "answered_at": answer.answered_at.isoformat(),
        "total": answer.total,
    }


def low_score(recent: list[Answer], settings: dict) -> Finding | None:
    """`recent`: the episode's latest answers, newest first."""
    current = recent[0]
    if not current.is_low:
        return None
    streak = 0
    for answer in recent:
        if not answer.is_low:
            break
        streak += 1
    red = streak >= settings["red_after_consecutive"]
    return Finding(
        "low_score",
        "red" if red else settings["severity"],
        {
            "rule": "low_score",
            "settings": settings,
            "total": current.total,
            "threshold": current.threshold,
            "item_threshold": current.item_threshold,
            "low_items": current.low_items,
            "consecutive_low": streak,
            "responses": [_ref(a) for a in recent[:streak]],
        },
    )


def drop(recent: list[Answer], baseline: list[Answer], settings: dict) -> Finding | None:
    """A fall from the previous answer, or (from the fourth answer of an episode on) from the
    mean of the episode's first answers, by at least the meaningful amount."""
    current = recent[0]
    amount, method = meaningful_fall(current, settings)
    falls = {}
    previous = next((a for a in recent[1:] if current.comparable_with(a)), None)
    if previous is not None and round(previous.total - current.total, 2) >= amount:
        fall = round(previous.total - current.total, 2)
        falls["from_previous"] = {"previous": _ref(previous), "fall": fall}
    comparable_baseline = [a for a in baseline if current.comparable_with(a)]
    is_later_answer = current.response_id not in {a.response_id for a in baseline}
    if len(comparable_baseline) == settings["baseline_answers"] and is_later_answer:
        mean = sum(a.total for a in comparable_baseline) / len(comparable_baseline)
        if round(mean - current.total, 2) >= amount:
            falls["from_baseline"] = {
                "baseline_mean": round(mean, 2),
                "baseline": [_ref(a) for a in comparable_baseline],
                "fall": round(mean - current.total, 2),
            }
    if not falls:
        return None
    largest = max(f["fall"] for f in falls.values())
    red = largest >= settings["red_multiple"] * amount
    return Finding(
        "drop",
        "red" if red else settings["severity"],
        {
            "rule": "drop",
            "settings": settings,
            "total": current.total,
            "response": _ref(current),
            "meaningful_fall": amount,
            "method": method,
            **falls,
        },
    )


def no_progress(window: list[Answer], settings: dict) -> Finding | None:
    """`window`: the episode's answers of the last `window_days`, oldest first."""
    progress = [a for a in window if a.progress_item and a.progress_item in a.items]
    if len(progress) < settings["min_answers"]:
        return None
    span = progress[-1].answered_at - progress[0].answered_at
    if span < timedelta(days=settings["min_span_days"]):
        return None
    values = []
    for answer in progress:
        low, high = answer.item_ranges[answer.progress_item]
        ceiling = low + settings["below_share_of_range"] * (high - low)
        value = answer.items[answer.progress_item]
        if value >= ceiling:
            return None
        values.append(value)
    if values[-1] > values[0]:
        return None
    return Finding(
        "no_progress",
        settings["severity"],
        {
            "rule": "no_progress",
            "settings": settings,
            "span_days": span.days,
            "progress_values": values,
            "responses": [_ref(a) for a in progress],
        },
    )


def discuss_request(current: Answer, settings: dict) -> Finding | None:
    if not current.discuss_request:
        return None
    return Finding(
        "discuss_request",
        settings["severity"],
        {"rule": "discuss_request", "settings": settings, "response": _ref(current)},
    )


def non_response(latest_statuses: list[tuple[str, str]], settings: dict) -> Finding | None:
    """`latest_statuses`: (invitation id, status) of the latest closed invitations, newest
    first: answered ("completed") or not ("expired")."""
    needed = settings["consecutive_expired"]
    recent = latest_statuses[:needed]
    if len(recent) < needed or any(status != "expired" for _, status in recent):
        return None
    return Finding(
        "non_response",
        settings["severity"],
        {
            "rule": "non_response",
            "settings": settings,
            "expired_invitations": [invitation for invitation, _ in recent],
        },
    )
