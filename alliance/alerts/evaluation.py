"""The evaluation core: given a client's history as numbers, the alerts of the client that are
still active, and the practice's settings, what should be raised, updated, reopened and
emailed. No database and no clock: the service (`alliance.alerts.services`, run by the
evaluation task) and the validation harness (`alliance.alerts.validation`) call the same
functions, so the harness measures the path clinicians live with.

Tiers: a `prompt` is worth talking about next session (never emailed, closed when the next
session completes); `amber` and `red` are alerts, emailed at once. A rise from prompt to
alert, or from amber to red, emails; so does new evidence after an acknowledgement, so that
an old acknowledged alert never swallows a new fall.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from alliance.alerts import statistics
from alliance.alerts.defaults import SEVERITY_RANK

PROMPT, AMBER, RED = "prompt", "amber", "red"
OPEN, ACKNOWLEDGED = "open", "acknowledged"


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
class ActiveAlert:
    """An open or acknowledged alert or prompt of the client, as evaluation sees it."""

    kind: str
    severity: str
    status: str
    evidence: dict
    alert_id: str | None = None


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    evidence: dict


@dataclass(frozen=True)
class Decision:
    """What to do about one finding. `action`: `create`, `update` (evidence, and severity when
    it rose, without changing the status) or `reopen` (back to open)."""

    kind: str
    severity: str
    evidence: dict
    action: str
    email: bool
    alert_id: str | None = None
    rose: bool = False


@dataclass(frozen=True)
class Context:
    """The practice's settings (merged over the defaults) and its pooled within-client spread
    per scale (`statistics.pooled_within_client_spread`); a scale without one takes the
    default share of its range."""

    rules: dict
    pooled_spreads: dict = field(default_factory=dict)

    def pooled_spread(self, scale: Scale) -> float:
        pooled = self.pooled_spreads.get(scale)
        return pooled if pooled is not None else statistics.DEFAULT_SPREAD_SHARE * scale.width


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
    return Finding(
        "low_score",
        severity,
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
    return Finding(
        "drop",
        severity,
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


def no_progress(history: Sequence[Answer], settings: dict) -> Finding | None:
    """The seed's "same struggles six months on": in the episode's answers of the last
    `window_days`, at least `min_answers` spanning at least `min_span_days`, the progress item
    below `below_share_of_range` of its range in every one, and the latest not above the first."""
    current = history[-1]
    code = current.instrument.progress_item
    if code is None:
        return None
    since = current.answered_at - timedelta(days=settings["window_days"])
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
    return Finding(
        "no_progress",
        settings["severity"],
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
    return Finding(
        "discuss_request",
        settings["severity"],
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
    return Finding(
        "non_response",
        settings["severity"],
        {"expired_in_a_row": len(streak), "since": streak[-1], "invitations": streak},
    )


def findings_for_answer(history: Sequence[Answer], context: Context) -> list[Finding]:
    """Every enabled rule's finding on the latest answer of `history`."""
    rules = context.rules
    scale = history[-1].instrument.scale
    found = [
        low_score(history, rules["low_score"]) if rules["low_score"]["enabled"] else None,
        drop(history, rules["drop"], context.pooled_spread(scale))
        if rules["drop"]["enabled"]
        else None,
        no_progress(history, rules["no_progress"]) if rules["no_progress"]["enabled"] else None,
        discuss_request(history, rules["discuss_request"])
        if rules["discuss_request"]["enabled"]
        else None,
    ]
    return [finding for finding in found if finding is not None]


def _is_new_evidence(finding: Finding, acknowledged: ActiveAlert, rules: dict) -> bool:
    """Whether a finding tells the clinician something the acknowledged alert did not: a new
    run of evidence (a fall after recovery, a new request, a new streak), or, for a drop, a
    further fall of `further_fall_spreads` usual variations."""
    before, now = acknowledged.evidence, finding.evidence
    if now.get("since") != before.get("since"):
        return True
    if finding.kind == "drop" and "fall" in before:
        further = rules["drop"]["further_fall_spreads"] * now["spread"]
        return now["fall"] - before["fall"] >= further
    return False


def decide(
    findings: Sequence[Finding], active: dict[str, ActiveAlert], rules: dict
) -> list[Decision]:
    """Dedupe: one active alert per client and kind. New evidence updates it; a rise in
    severity, or new evidence after an acknowledgement, reopens it and emails when it is an
    alert; prompts are never emailed."""
    decisions = []
    for finding in findings:
        current = active.get(finding.kind)
        if current is None:
            decisions.append(
                Decision(
                    finding.kind,
                    finding.severity,
                    finding.evidence,
                    "create",
                    email=finding.severity != PROMPT,
                )
            )
            continue
        rose = SEVERITY_RANK[finding.severity] > SEVERITY_RANK[current.severity]
        severity = finding.severity if rose else current.severity
        is_alert = severity != PROMPT
        if current.status == ACKNOWLEDGED:
            if not (rose or _is_new_evidence(finding, current, rules)):
                continue
            decision = Decision(
                finding.kind,
                severity,
                finding.evidence,
                "reopen",
                email=is_alert,
                alert_id=current.alert_id,
                rose=rose,
            )
        else:
            decision = Decision(
                finding.kind,
                severity,
                finding.evidence,
                "update",
                email=rose and is_alert,
                alert_id=current.alert_id,
                rose=rose,
            )
        decisions.append(decision)
    return decisions


def evaluate_answer(
    history: Sequence[Answer], active: dict[str, ActiveAlert], context: Context
) -> list[Decision]:
    """The decisions on a new answer, the last of `history` (the episode, oldest first)."""
    return decide(findings_for_answer(history, context), active, context.rules)


def evaluate_non_response(
    statuses: Sequence[tuple[str, str]], active: dict[str, ActiveAlert], context: Context
) -> list[Decision]:
    """The decisions after an invitation expired unanswered."""
    settings = context.rules["non_response"]
    finding = non_response(statuses, settings) if settings["enabled"] else None
    return decide([finding] if finding else [], active, context.rules)


def prompts_closed_by_session(active: dict[str, ActiveAlert]) -> list[ActiveAlert]:
    """What closes when the client's next session completes: every active prompt."""
    return [alert for alert in active.values() if alert.severity == PROMPT]


def after(current: ActiveAlert | None, decision: Decision) -> ActiveAlert:
    """The alert as a decision leaves it."""
    status = OPEN if current is None or decision.action == "reopen" else current.status
    return ActiveAlert(
        kind=decision.kind,
        severity=decision.severity,
        status=status,
        evidence=decision.evidence,
        alert_id=decision.alert_id,
    )


@dataclass(frozen=True)
class Expiry:
    """An invitation that expired unanswered."""

    invitation_id: str


def replay(
    steps: Sequence[Answer | Expiry], context: Context, *, decide_from: int = 0
) -> list[tuple[int, Decision]]:
    """A client's surveys in order, as the service meets them, with the decisions on each
    (by the step's index). Before each survey the client's session completes and closes their
    prompts; after each, the clinician acknowledges every emailed alert and resolves none, the
    hardest case for dedupe. Steps before `decide_from` only make up the history."""
    active: dict[str, ActiveAlert] = {}
    history: list[Answer] = []
    statuses: list[tuple[str, str]] = []
    decided = []
    for index, step in enumerate(steps):
        for prompt in prompts_closed_by_session(active):
            del active[prompt.kind]
        if isinstance(step, Expiry):
            statuses.insert(0, (step.invitation_id, "expired"))
            if index < decide_from:
                continue
            decisions = evaluate_non_response(statuses, active, context)
        else:
            statuses.insert(0, (step.response_id, "completed"))
            history.append(step)
            if index < decide_from:
                continue
            decisions = evaluate_answer(history, active, context)
        for decision in decisions:
            active[decision.kind] = after(active.get(decision.kind), decision)
            decided.append((index, decision))
        for kind, alert in active.items():
            if alert.status == OPEN and alert.severity != PROMPT:
                active[kind] = replace(alert, status=ACKNOWLEDGED)
    return decided
