"""The alert rules, as plain functions over a client's answers.

Each rule takes the episode's answers (oldest first, the new one last) and returns a `Finding`:
the kind, a severity (`prompt`, `amber` or `red`) and the evidence as numbers, or None. Every
number is a practice setting (`alliance.alerts.defaults`); the cut-offs are the instrument's.
Which findings become alerts, and which are emailed, is `alliance.alerts.evaluation`'s part.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from alliance.alerts import statistics

PROMPT, AMBER, RED = "prompt", "amber", "red"


@dataclass(frozen=True)
class Scale:
    """What makes totals comparable: the instrument, its items with their ranges, and how
    they add up. A new version with the same scale keeps the client's baseline."""

    instrument_code: str
    method: str
    items: tuple[tuple[str, float, float], ...]

    @property
    def total_range(self) -> tuple[float, float]:
        low = sum(item[1] for item in self.items)
        high = sum(item[2] for item in self.items)
        if self.method == "mean":
            return low / len(self.items), high / len(self.items)
        return low, high

    @property
    def width(self) -> float:
        low, high = self.total_range
        return high - low

    def item_range(self, code: str) -> tuple[float, float]:
        return next((low, high) for item, low, high in self.items if item == code)


@dataclass(frozen=True)
class Instrument:
    """What the rules need to know of the instrument version an answer was given on."""

    scale: Scale
    version: int = 1
    threshold: float | None = None
    item_threshold: float | None = None
    standard_deviation: float | None = None
    reliability: float | None = None
    progress_item: str | None = None


def instrument_from(
    *,
    code: str,
    items: list[dict],
    scoring: dict,
    version: int = 1,
    threshold: float | None = None,
    item_threshold: float | None = None,
    standard_deviation: float | None = None,
    reliability: float | None = None,
) -> Instrument:
    """An instrument as the rules see it, from its stored definition."""
    return Instrument(
        scale=Scale(
            instrument_code=code,
            method=scoring.get("method", "sum"),
            items=tuple((item["code"], item["min"], item["max"]) for item in items),
        ),
        version=version,
        threshold=threshold,
        item_threshold=item_threshold,
        standard_deviation=standard_deviation,
        reliability=reliability,
        progress_item=next((i["code"] for i in items if i.get("role") == "progress"), None),
    )


@dataclass(frozen=True)
class Answer:
    response_id: str
    answered_at: datetime
    instrument: Instrument
    total: float
    items: dict[str, float]
    discuss_request: bool = False

    @property
    def low_items(self) -> dict[str, float]:
        threshold = self.instrument.item_threshold
        if threshold is None:
            return {}
        return {code: value for code, value in self.items.items() if value < threshold}

    @property
    def is_low(self) -> bool:
        threshold = self.instrument.threshold
        return (threshold is not None and self.total < threshold) or bool(self.low_items)


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    evidence: dict


def _finding(kind: str, severity: str, settings: dict, evidence: dict) -> Finding:
    """Evidence that says which rule found it and with which settings, then the numbers."""
    return Finding(kind, severity, {"rule": kind, "settings": settings} | evidence)


def comparable(history: Sequence[Answer]) -> list[Answer]:
    """The answers whose totals compare with the latest one's: the same scale only."""
    scale = history[-1].instrument.scale
    return [answer for answer in history if answer.instrument.scale == scale]


def _streak(answers: Sequence[Answer], test) -> list[Answer]:
    """The latest answers, oldest first, for which `test` holds without a break."""
    streak = []
    for answer in reversed(answers):
        if not test(answer):
            break
        streak.append(answer)
    return streak[::-1]


# The rules. Each takes the episode's answers (oldest first, the new one last) and returns a
# Finding or None.


def low_score(history: Sequence[Answer], settings: dict) -> Finding | None:
    current = history[-1]
    if not current.is_low:
        return None
    answers = comparable(history)
    instrument = current.instrument
    severity, streak = PROMPT, _streak(answers, lambda a: a.is_low)
    alert_line = red_line = None
    if instrument.threshold is not None:
        below = settings["alert_below_share"] * instrument.scale.width
        alert_line, red_line = instrument.threshold - below, instrument.threshold - 2 * below
        far = _streak(answers, lambda a: a.total < alert_line)
        if len(far) >= settings["alert_after_consecutive"]:
            severity, streak = (RED if current.total < red_line else AMBER), far
    return _finding(
        "low_score",
        severity,
        settings,
        {
            "total": current.total,
            "threshold": instrument.threshold,
            "item_threshold": instrument.item_threshold,
            "low_items": current.low_items,
            "alert_below": alert_line,
            "red_below": red_line,
            "consecutive": len(streak),
            "since": streak[0].response_id,
            "response": current.response_id,
        },
    )


def drop(history: Sequence[Answer], settings: dict, pooled_spread: float) -> Finding | None:
    answers = comparable(history)
    evidence = statistics.accumulated_fall(
        [answer.total for answer in answers],
        pooled_spread=pooled_spread,
        allowance=settings["allowance"],
        baseline_answers=settings["baseline_answers"],
        min_baseline_answers=settings["min_baseline_answers"],
        prior_weight=settings["prior_weight"],
        min_spread_share=settings["min_spread_share"],
    )
    if evidence is None or evidence.accumulated < settings["prompt_at"]:
        return None
    if evidence.accumulated >= settings["red_multiple"] * settings["alert_at"]:
        severity = RED
    elif evidence.accumulated >= settings["alert_at"]:
        severity = AMBER
    else:
        severity = PROMPT
    instrument = answers[-1].instrument
    reliable_change = None
    if instrument.standard_deviation is not None and instrument.reliability is not None:
        reliable_change = statistics.reliable_change_threshold(
            instrument.standard_deviation, instrument.reliability
        )
        if evidence.fall < reliable_change:
            severity = PROMPT
    return _finding(
        "drop",
        severity,
        settings,
        {
            "total": evidence.latest,
            "baseline_mean": evidence.baseline_mean,
            "spread": evidence.spread,
            "fall": evidence.fall,
            "accumulated": evidence.accumulated,
            "baseline_answers": evidence.baseline_answers,
            "run_answers": evidence.run_answers,
            "reliable_change": reliable_change,
            "since": answers[evidence.run_start].response_id,
            "response": answers[-1].response_id,
        },
    )


def no_progress_since(latest: datetime, settings: dict) -> datetime:
    """Where the no-progress window of an answer given at `latest` begins."""
    return latest - timedelta(days=settings["window_days"])


def no_progress(history: Sequence[Answer], settings: dict) -> Finding | None:
    """The seed's "same struggles six months on": in the episode's answers of the last
    `window_days`, at least `min_answers` spanning at least `min_span_days`, the progress item
    below `below_share_of_range` of its range in every one, and the latest not above the first."""
    current = history[-1]
    code = current.instrument.progress_item
    if code is None:
        return None
    since = no_progress_since(current.answered_at, settings)
    item_range = current.instrument.scale.item_range(code)
    window = [
        answer
        for answer in history
        if answer.answered_at >= since
        and answer.instrument.progress_item == code
        and answer.instrument.scale.item_range(code) == item_range
        and code in answer.items
    ]
    if len(window) < settings["min_answers"]:
        return None
    span = window[-1].answered_at - window[0].answered_at
    if span < timedelta(days=settings["min_span_days"]):
        return None
    low, high = item_range
    ceiling = low + settings["below_share_of_range"] * (high - low)
    values = [answer.items[code] for answer in window]
    if any(value >= ceiling for value in values) or values[-1] > values[0]:
        return None
    return _finding(
        "no_progress",
        settings["severity"],
        settings,
        {
            "span_days": span.days,
            "progress_values": values,
            "below": ceiling,
            "since": None,
            "response": current.response_id,
        },
    )


def discuss_request(history: Sequence[Answer], settings: dict) -> Finding | None:
    current = history[-1]
    if not current.discuss_request:
        return None
    return _finding(
        "discuss_request",
        settings["severity"],
        settings,
        {"since": current.response_id, "response": current.response_id},
    )


def non_response(statuses: Sequence[tuple[str, str]], settings: dict) -> Finding | None:
    """`statuses`: (invitation id, `completed` or `expired`) of the episode's latest closed
    invitations, newest first. A failed delivery is not a non-response and is not listed."""
    streak = []
    for invitation, status in statuses:
        if status != "expired":
            break
        streak.append(invitation)
    if len(streak) < settings["consecutive_expired"]:
        return None
    return _finding(
        "non_response",
        settings["severity"],
        settings,
        {"expired_in_a_row": len(streak), "since": streak[-1], "invitations": streak},
    )
