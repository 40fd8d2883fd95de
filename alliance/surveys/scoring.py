"""Checking a client's answers against an instrument, and scoring them."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from alliance.models import Instrument


@dataclass(frozen=True)
class Scores:
    total: float
    mean: float
    subscales: dict[str, float]


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def clean_answers(
    instrument: Instrument, submitted: Mapping[str, object]
) -> tuple[dict[str, float | int], dict[str, list[str]]]:
    """Every item's value as a number, and the errors of those that are missing or invalid."""
    answers, errors = {}, {}
    for item in instrument.items:
        code, raw = item["code"], submitted.get(item["code"])
        if raw is None or str(raw).strip() == "":
            errors[code] = [_("Please answer this question.")]
            continue
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            errors[code] = [_("Please enter a number.")]
            continue
        low, high, step = (Decimal(str(item[k])) for k in ("min", "max", "step"))
        if not value.is_finite() or not low <= value <= high:
            errors[code] = [
                _("Please choose a value from %(min)s to %(max)s.")
                % {"min": item["min"], "max": item["max"]}
            ]
        elif (value - low) % step != 0:
            errors[code] = [
                _("Please choose a value in steps of %(step)s.") % {"step": item["step"]}
            ]
        else:
            answers[code] = _number(value)
    return answers, errors


def _combine(values: list[float], method: str) -> float:
    total = sum(values)
    return round(total / len(values) if method == "mean" else total, 2)


def score(instrument: Instrument, answers: Mapping[str, float]) -> Scores:
    """The total by the instrument's method, the mean item value, and each subscale."""
    method = instrument.scoring.get("method", "sum")
    values = [answers[code] for code in instrument.item_codes]
    subscales = {
        name: _combine([answers[code] for code in codes], method)
        for name, codes in instrument.scoring.get("subscales", {}).items()
    }
    return Scores(
        total=_combine(values, method), mean=_combine(values, "mean"), subscales=subscales
    )


def is_low(instrument: Instrument, total: float, answers: Mapping[str, float]) -> bool:
    """Below the instrument's threshold, or any item below its item threshold."""
    if instrument.threshold is not None and total < instrument.threshold:
        return True
    return instrument.item_threshold is not None and any(
        value < instrument.item_threshold for value in answers.values()
    )
