"""What a set of rule settings would have raised: over a practice's own answers, or, for a
practice with no history yet, over a simulated cohort. Both replay the evaluation core
(`alliance.alerts.evaluation.replay`), so a preview shows what the service would do.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from alliance.alerts import evaluation, simulation, validation
from alliance.alerts.defaults import SEVERITIES
from alliance.alerts.evaluation import Context
from alliance.alerts.rules import PROMPT, Answer

KINDS = validation.KINDS
SIMULATED_CLIENTS = 250


@dataclass(frozen=True)
class ClientHistory:
    """A client's surveys of the episode, oldest first; those from `window_start` on fall in
    the previewed period, the earlier ones only make up the client's baseline."""

    client_id: str
    steps: Sequence[Answer | evaluation.Expiry]
    window_start: int


def answers_in_window(histories: Sequence[ClientHistory]) -> int:
    return sum(
        isinstance(step, Answer)
        for history in histories
        for step in history.steps[history.window_start :]
    )


def _raised(decision: evaluation.Decision) -> bool:
    """What a clinician would newly see: a new alert or prompt, a reopened one, or a rise."""
    return decision.action in ("create", "reopen") or decision.rose


def replay_practice(
    histories: Sequence[ClientHistory], context: Context, *, clinician_weeks: float
) -> dict:
    """Counts by kind and severity, emails and prompts per clinician-week, and which clients."""
    by_kind = {kind: dict.fromkeys(SEVERITIES, 0) for kind in KINDS}
    emails = prompts = 0
    clients = []
    for history in histories:
        raised: Counter = Counter()
        highest: dict[str, str] = {}
        for _, decision in evaluation.replay(
            history.steps, context, decide_from=history.window_start
        ):
            if not _raised(decision):
                continue
            by_kind[decision.kind][decision.severity] += 1
            emails += decision.email
            prompts += decision.severity == PROMPT
            raised[decision.kind] += 1
            highest[decision.kind] = decision.severity
        if raised:
            clients.append(
                {
                    "client": history.client_id,
                    "kinds": {
                        kind: {"raised": n, "severity": highest[kind]} for kind, n in raised.items()
                    },
                }
            )
    return {
        "by_kind": by_kind,
        "emails": emails,
        "prompts": prompts,
        "clinician_weeks": round(clinician_weeks, 2),
        "emails_per_clinician_week": round(emails / clinician_weeks, 2)
        if clinician_weeks
        else None,
        "prompts_per_clinician_week": round(prompts / clinician_weeks, 2)
        if clinician_weeks
        else None,
        "clients": clients,
    }


def simulated(definition: dict, rules: dict) -> dict:
    """The harness's figures for `rules` on a simulated cohort of `definition`'s instrument
    (one seed, the usual noise): what a practice with no history can expect."""
    [tally] = validation.validate(
        [definition],
        rules=rules,
        clients=SIMULATED_CLIENTS,
        seeds=simulation.SEEDS[:1],
        noise_levels=(1.0,),
    )
    return {
        "instrument": definition["code"],
        "clients": SIMULATED_CLIENTS,
        "emails_per_clinician_week": round(tally.per_clinician_week(tally.emails), 2),
        "false_alerts_per_clinician_week": round(tally.per_clinician_week(tally.false_emails), 2),
        "prompts_per_clinician_week": round(tally.per_clinician_week(tally.prompts), 2),
        "alerts_per_100_answers": round(tally.alerts_per_100_answers, 1),
        "large_ruptures_alerted_within_2": tally.large_ruptures.share("alerted_within_2"),
        "small_ruptures_prompted_within_2": tally.small_ruptures.share("prompted_within_2"),
    }
