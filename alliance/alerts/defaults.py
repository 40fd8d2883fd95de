"""The alert rules' settings: defaults, the bounds each may take, and their validation.

Declared once here and used by the API, the admin, the preview and the validation harness.
The defaults were chosen by `make validate-alerts` (see README, "Alert rules"); the published
cut-offs themselves (an instrument's `threshold` and `item_threshold`) belong to instruments.
"""

from practice.bounds import Bound, bound_problems
from practice.errors import InvalidInput

SEVERITIES = ("prompt", "amber", "red")
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


DEFAULT_RULES = {
    # Below the instrument's cut-off (total or any item): a prompt. An alert when the total is
    # `alert_below_share` of the scale's range below the cut-off in `alert_after_consecutive`
    # answers in a row; red when twice as far below.
    "low_score": {
        "enabled": True,
        "alert_below_share": 0.2,
        "alert_after_consecutive": 2,
    },
    # A fall against the client's own level and usual variation, accumulated over answers
    # (a lower CUSUM on standardised falls; see `alliance.alerts.statistics`).
    "drop": {
        "enabled": True,
        "prompt_at": 0.5,
        "alert_at": 2.0,
        "red_multiple": 2.0,
        "allowance": 0.75,
        "baseline_answers": 8,
        "min_baseline_answers": 2,
        "prior_weight": 8,
        "min_spread_share": 0.75,
        "further_fall_spreads": 2.0,
    },
    "no_progress": {
        "enabled": True,
        "severity": "amber",
        "window_days": 183,
        "min_answers": 3,
        "min_span_days": 152,
        "below_share_of_range": 0.7,
    },
    "discuss_request": {"enabled": True, "severity": "red"},
    "non_response": {"enabled": True, "severity": "amber", "consecutive_expired": 3},
    "escalation": {"red_unacknowledged_hours": 48},
}

_FLAG = Bound(bool)
# Labelled as `Alert.Severity` labels them, so that the schema has one enum of severities.
_SEVERITY = Bound(str, choices=tuple((severity, severity.title()) for severity in SEVERITIES))

BOUNDS = {
    "low_score": {
        "enabled": _FLAG,
        "alert_below_share": Bound(float, 0.01, 1),
        "alert_after_consecutive": Bound(int, 1, 20),
    },
    "drop": {
        "enabled": _FLAG,
        "prompt_at": Bound(float, 0.1, 20),
        "alert_at": Bound(float, 0.1, 20),
        "red_multiple": Bound(float, 1, 10),
        "allowance": Bound(float, 0, 3),
        "baseline_answers": Bound(int, 2, 50),
        "min_baseline_answers": Bound(int, 1, 20),
        "prior_weight": Bound(float, 0, 100),
        "min_spread_share": Bound(float, 0, 1),
        "further_fall_spreads": Bound(float, 0.1, 20),
    },
    "no_progress": {
        "enabled": _FLAG,
        "severity": _SEVERITY,
        "window_days": Bound(int, 30, 730),
        "min_answers": Bound(int, 2, 50),
        "min_span_days": Bound(int, 0, 730),
        "below_share_of_range": Bound(float, 0.01, 1),
    },
    "discuss_request": {"enabled": _FLAG, "severity": _SEVERITY},
    "non_response": {
        "enabled": _FLAG,
        "severity": _SEVERITY,
        "consecutive_expired": Bound(int, 1, 20),
    },
    "escalation": {"red_unacknowledged_hours": Bound(int, 1, 24 * 30)},
}


def merged_rules(overrides: dict) -> dict:
    """The defaults with a practice's settings laid over them, rule by rule."""
    return {name: defaults | overrides.get(name, {}) for name, defaults in DEFAULT_RULES.items()}


def validated_overrides(changes: dict, *, current: dict | None = None) -> dict:
    """A practice's settings after `changes` (rule by rule, field by field over `current`),
    checked against `BOUNDS`; raises `InvalidInput` naming each bad field."""
    errors: dict[str, list[str]] = {}
    if not isinstance(changes, dict):
        raise InvalidInput({"settings": ["Must be an object of rules."]})
    merged = {name: dict(fields) for name, fields in (current or {}).items()}
    for rule, fields in changes.items():
        if rule not in BOUNDS:
            errors[rule] = ["Unknown rule."]
            continue
        if not isinstance(fields, dict):
            errors[rule] = ["Must be an object of settings."]
            continue
        problems = bound_problems(BOUNDS[rule], fields, prefix=f"{rule}.")
        errors |= problems
        for field, value in fields.items():
            if f"{rule}.{field}" not in problems:
                whole = BOUNDS[rule][field].kind is int
                merged.setdefault(rule, {})[field] = int(value) if whole else value
    if not errors:
        rules = merged_rules(merged)
        if rules["drop"]["alert_at"] < rules["drop"]["prompt_at"]:
            errors["drop.alert_at"] = ["Must not be below drop.prompt_at."]
    if errors:
        raise InvalidInput(errors)
    return merged
