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

from alliance.alerts import rules, statistics
from alliance.alerts.defaults import SEVERITY_RANK
from alliance.alerts.rules import PROMPT, Answer, Finding, Scale

OPEN, ACKNOWLEDGED = "open", "acknowledged"

# What the rules see of an episode: a year of weekly answers after the drop rule's baseline,
# and every answer of the no-progress window. Each rule looks back less than that (the level
# before a run, the run, a low streak, six months of progress), so an evaluation costs the
# same after 60 answers or 600; only a fall sustained for longer than a year is by then the
# client's level (the drop rule measures new falls against it, and a level below the cut-off
# is still a `low_score` finding).
RUN_ANSWERS_IN_VIEW = 52
# How many of the episode's latest closed invitations the non-response rule sees.
INVITATIONS_IN_VIEW = 50


def answers_in_view(settings: dict) -> int:
    """How many of the episode's latest answers the rules see, at least."""
    return settings["drop"]["baseline_answers"] + RUN_ANSWERS_IN_VIEW


def in_view(history: Sequence[Answer], settings: dict) -> Sequence[Answer]:
    """The part of `history` (the episode, oldest first) the rules look at: its latest
    `answers_in_view` answers and every answer of the no-progress window."""
    start = max(0, len(history) - answers_in_view(settings))
    window_from = rules.no_progress_since(history[-1].answered_at, settings["no_progress"])
    while start and history[start - 1].answered_at >= window_from:
        start -= 1
    return history[start:] if start else history


@dataclass(frozen=True)
class ActiveAlert:
    """An open or acknowledged alert or prompt of the client, as evaluation sees it."""

    kind: str
    severity: str
    status: str
    evidence: dict
    alert_id: str | None = None


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


def findings_for_answer(history: Sequence[Answer], context: Context) -> list[Finding]:
    """Every enabled rule's finding on the latest answer of `history`, from what it sees of
    it (`in_view`)."""
    settings = context.rules
    history = in_view(history, settings)
    scale = history[-1].instrument.scale
    found = [
        rules.low_score(history, settings["low_score"])
        if settings["low_score"]["enabled"]
        else None,
        rules.drop(history, settings["drop"], context.pooled_spread(scale))
        if settings["drop"]["enabled"]
        else None,
        rules.no_progress(history, settings["no_progress"])
        if settings["no_progress"]["enabled"]
        else None,
        rules.discuss_request(history, settings["discuss_request"])
        if settings["discuss_request"]["enabled"]
        else None,
    ]
    return [finding for finding in found if finding is not None]


def _is_new_evidence(finding: Finding, acknowledged: ActiveAlert, settings: dict) -> bool:
    """Whether a finding tells the clinician something the acknowledged alert did not: a new
    run of evidence (a fall after recovery, a new request, a new streak), or, for a drop, a
    further fall of `further_fall_spreads` usual variations. A streak as long as what the
    rules see began before it: it is the streak the acknowledged alert was about, whatever its
    first answer (or expired invitation) in view."""
    before, now = acknowledged.evidence, finding.evidence
    began_out_of_view = (
        now.get("consecutive", 0) >= answers_in_view(settings)
        or now.get("expired_in_a_row", 0) >= INVITATIONS_IN_VIEW
    )
    if now.get("since") != before.get("since") and not began_out_of_view:
        return True
    if finding.kind == "drop" and "fall" in before:
        further = settings["drop"]["further_fall_spreads"] * now["spread"]
        return now["fall"] - before["fall"] >= further
    return False


def decide(
    findings: Sequence[Finding], active: dict[str, ActiveAlert], settings: dict
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
            if not (rose or _is_new_evidence(finding, current, settings)):
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
    in_view = statuses[:INVITATIONS_IN_VIEW]
    finding = rules.non_response(in_view, settings) if settings["enabled"] else None
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
