"""Simulated cohorts of clients answering alliance surveys weekly, with known truth.

Every parameter is in `PARAMETERS`, with where it comes from and how uncertain it is. Shares
are of the instrument's range (of the total, or of one item), so one set of parameters serves
every instrument: the SRS figures of the clinical reference (mean ≈ 36 of 40, between-client
SD ≈ 4, session-to-session SD ≈ 1.5-2.3, about a fifth of answers at the maximum) carried to
the other scales in proportion.
"""

import random
from dataclasses import dataclass

from alliance.alerts.rules import Instrument


@dataclass(frozen=True)
class Parameter:
    value: object
    source: str
    uncertainty: str


PARAMETERS = {
    "clients_per_clinician": Parameter(
        25, "The clinical reference's caseload: 25 clients seen weekly.", "A convention."
    ),
    "answers_per_client": Parameter(
        (8, 26),
        "Weekly answers per client, uniform: the measurement's 8-20, stretched to half a year "
        "so that the six-month no-progress rule can fire.",
        "Real episodes vary far more; short ones only lower the rules' chances.",
    ),
    "level_mean_share": Parameter(
        0.935,
        "Each client's true level (before the ceiling), mean: calibrated so that the observed "
        "SRS mean is ≈ 36 of 40 with about a fifth of answers at the maximum (clinical "
        "reference; Duncan et al. 2003 report mean ≈ 36).",
        "The observed mean within ±1 point; the share at the maximum within ±5 points.",
    ),
    "level_between_sd_share": Parameter(
        0.13,
        "Between-client SD of true levels: observed SD ≈ 4 of 40 after the ceiling.",
        "±1 point of 40.",
    ),
    "within_sd_share": Parameter(
        (0.0375, 0.0575),
        "Each client's session-to-session SD of the total, uniform: 1.5-2.3 of 40 "
        "(clinical reference).",
        "The range itself is the uncertainty; `make validate-alerts` also runs at 1.3x.",
    ),
    "item_offset_sd_share": Parameter(
        0.04,
        "How far a client's items sit apart from one another, fixed per client: calibrated so "
        "that 'any item below 9' is true of about half of SRS answers (the measurement: 56%).",
        "Between 0.02 and 0.06 reproduces 45-65%.",
    ),
    "item_noise_share": Parameter(
        0.03,
        "Item-level noise around the total's share, per answer.",
        "Small next to the total's noise; any value below 0.05 changes little.",
    ),
    "response_rate": Parameter(
        (0.8, 1.0),
        "Each client's chance of answering a given week, uniform: routine outcome monitoring "
        "reports 70-95% completion for post-session surveys.",
        "Lower rates raise non-response findings and delay detection.",
    ),
    "scenario_shares": Parameter(
        {"stable": 0.55, "rupture": 0.3, "slow_decline": 0.1, "withdrawal": 0.05},
        "Ruptures are common (46% of clients in McLaughlin et al. 2014); here 30% of clients "
        "have one within the simulated weeks.",
        "The shares change the per-week false-alert rate only through the stable weeks.",
    ),
    "rupture_size_shares": Parameter(
        (0.075, 0.1, 0.125, 0.15, 0.2, 0.25),
        "Falls of the client's expected total, uniform over these shares of the range: "
        "3, 4, 5, 6, 8 and 10 SRS points (the issue's sizes of 3-5 and ≥ 5 SRS points).",
        "No published distribution of rupture sizes on these scales.",
    ),
    "rupture_lengths": Parameter(
        {1: 0.25, 2: 0.25, 3: 0.2, 4: 0.1, None: 0.2},
        "Answers a rupture lasts before repair (None: not repaired within the simulation). "
        "Repaired ruptures are the common case (Eubanks, Muran & Safran 2018).",
        "No published distribution; single-session ruptures are the hardest to tell from "
        "noise, so their share drives detection.",
    ),
    "rupture_onset_after": Parameter(
        3,
        "A rupture starts after at least this many answers, so that the client has a level "
        "of their own; the onset week is answered.",
        "Earlier ruptures can only be caught by the cut-offs.",
    ),
    "decline_rate_share": Parameter(
        (0.01, 0.025),
        "A slow decline loses this share of the range per week, uniform (0.4-1 SRS point).",
        "An assumption.",
    ),
    "discuss_request_chance": Parameter(
        {"rupture": 0.15, "otherwise": 0.002},
        "Chance per answer that the client ticks 'I'd like to talk about this'.",
        "An assumption; every request is emailed, so the second figure sets a floor on false "
        "alerts (0.05 per clinician-week).",
    ),
    "truly_low_share": Parameter(
        0.8,
        "A client's alliance is truly low when their expected total is below 80% of the range "
        "(32 of 40, 40 of 50): meaningfully below the 90% cut-offs.",
        "A convention of this project.",
    ),
}

SEEDS = (1, 2, 3)
NOISE_LEVELS = (1.0, 1.3)


def _value(name):
    return PARAMETERS[name].value


@dataclass(frozen=True)
class Week:
    """One week of a simulated client: their answer (None when the survey expired) and the
    truth the harness judges alerts by."""

    index: int
    total: float | None
    items: dict | None
    discuss_request: bool
    expected: float
    in_rupture: bool
    truly_low: bool
    decline_reached: bool


@dataclass(frozen=True)
class SimulatedClient:
    client_id: str
    scenario: str
    weeks: tuple[Week, ...]
    rupture_onset: int | None = None
    rupture_size: float | None = None  # in the instrument's points
    rupture_length: int | None = None
    decline_onset: int | None = None
    decline_reached_at: int | None = None


def _round_to(value: float, step: float) -> float:
    return round(round(value / step) * step, 10)


def _pick(rng: random.Random, shares: dict):
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def simulate_client(
    rng: random.Random,
    client_id: str,
    instrument: Instrument,
    item_steps: dict,
    noise: float = 1.0,
) -> SimulatedClient:
    """One client's weeks on `instrument` (items summed), at `noise` times the usual spread."""
    scale = instrument.scale
    low, high = scale.total_range
    width = high - low
    items = scale.items
    level = low + width * rng.gauss(_value("level_mean_share"), _value("level_between_sd_share"))
    ceiling_level = min(level, high)
    spread = width * rng.uniform(*_value("within_sd_share")) * noise
    offsets = {
        code: (top - bottom) * rng.gauss(0, _value("item_offset_sd_share"))
        for code, bottom, top in items
    }
    answer_rate = rng.uniform(*_value("response_rate"))
    count = rng.randint(*_value("answers_per_client"))
    scenario = _pick(rng, _value("scenario_shares"))
    onset = rng.randint(_value("rupture_onset_after"), count - 1)
    size = length = decline_rate = reached_at = None
    if scenario == "rupture":
        size = width * rng.choice(_value("rupture_size_shares"))
        length = _pick(rng, _value("rupture_lengths"))
    elif scenario == "slow_decline":
        decline_rate = width * rng.uniform(*_value("decline_rate_share"))
        reached_at = onset + _ceil_div(0.1 * width, decline_rate)
    truly_low_line = low + _value("truly_low_share") * width
    discuss = _value("discuss_request_chance")
    weeks = []
    for index in range(count):
        in_rupture = scenario in ("rupture", "withdrawal") and (
            index >= onset and (length is None or index < onset + length)
        )
        expected = ceiling_level
        if scenario == "rupture" and in_rupture:
            expected -= size
        if decline_rate is not None and index >= onset:
            expected -= decline_rate * (index - onset)
        answered = (scenario != "withdrawal" or index < onset) and (
            index == onset or rng.random() < answer_rate
        )
        total = answer = None
        asked = False
        if answered:
            # A client above the ceiling stays there while nothing is wrong; a rupture or a
            # decline moves their expected answer itself.
            surplus = level - ceiling_level if expected == ceiling_level else 0.0
            latent = expected + rng.gauss(0, spread) + surplus
            answer = {}
            for code, bottom, top in items:
                share = (latent - low) / width
                value = bottom + share * (top - bottom) + offsets[code]
                value += rng.gauss(0, (top - bottom) * _value("item_noise_share") * noise)
                answer[code] = _round_to(min(max(value, bottom), top), item_steps[code])
            total = round(sum(answer.values()), 10)
            chance = discuss["rupture"] if in_rupture else discuss["otherwise"]
            asked = rng.random() < chance
        weeks.append(
            Week(
                index=index,
                total=total,
                items=answer,
                discuss_request=asked,
                expected=expected,
                in_rupture=in_rupture,
                truly_low=ceiling_level < truly_low_line,
                decline_reached=reached_at is not None and index >= reached_at,
            )
        )
    return SimulatedClient(
        client_id=client_id,
        scenario=scenario,
        weeks=tuple(weeks),
        rupture_onset=onset if scenario in ("rupture", "withdrawal") else None,
        rupture_size=size,
        rupture_length=length,
        decline_onset=onset if scenario == "slow_decline" else None,
        decline_reached_at=reached_at,
    )


def _ceil_div(amount: float, rate: float) -> int:
    whole = int(amount // rate)
    return whole if whole * rate >= amount else whole + 1


def simulate_cohort(
    *, instrument: Instrument, item_steps: dict, clients: int, seed: int, noise: float = 1.0
) -> list[SimulatedClient]:
    rng = random.Random(f"{seed}:{instrument.scale.instrument_code}:{noise}")  # noqa: S311 - a simulation, not a secret
    return [
        simulate_client(rng, f"c{number}", instrument, item_steps, noise)
        for number in range(clients)
    ]
