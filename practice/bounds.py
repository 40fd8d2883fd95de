"""What a setting may be, declared once: services check values against it (for the API and
admin alike), and API fields are made from it, so the OpenAPI schema shows the same
`minimum`, `maximum`, `pattern` and `enum`.

Each package declares its own (`alliance/surveys/bounds.py`, `alliance/alerts/defaults.py`).
"""

import math
import re
from dataclasses import dataclass

from rest_framework import serializers


@dataclass(frozen=True)
class Bound:
    """One setting: a number from `low` to `high` (`int` for whole numbers), a flag (`bool`),
    or text (`str`) that is one of `choices` (values, or Django's `(value, label)` pairs) or
    matches `pattern`; `nullable` lets it be null."""

    kind: type
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    pattern: str | None = None
    max_length: int | None = None
    nullable: bool = False

    def problem(self, value) -> str | None:
        """What is wrong with `value`, or None when it fits."""
        if value is None:
            return None if self.nullable else "This field may not be null."
        if self.kind is bool:
            return None if isinstance(value, bool) else "Must be true or false."
        if self.choices:
            allowed = self.values
            return None if value in allowed else f"Must be one of {', '.join(allowed)}."
        if self.kind is str:
            return self._text_problem(value)
        return self._number_problem(value)

    @property
    def values(self) -> tuple:
        """The values `choices` allows."""
        return tuple(c[0] if isinstance(c, tuple) else c for c in self.choices)

    def _text_problem(self, value) -> str | None:
        if not isinstance(value, str):
            return "Must be text."
        if self.max_length is not None and len(value) > self.max_length:
            return f"Must be at most {self.max_length} characters."
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return f"Must match {self.pattern}."
        return None

    def _number_problem(self, value) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "Must be a number."
        if not math.isfinite(value):
            return "Must be a finite number."
        if self.kind is int and value != int(value):
            return "Must be a whole number."
        if not self.low <= value <= self.high:
            return f"Must be between {self.low:g} and {self.high:g}."
        return None

    def field(self, **options) -> serializers.Field:
        """The API field for this setting; `options` are the field's own (`required`,
        `source`, `help_text`, …)."""
        if self.nullable:
            options.setdefault("allow_null", True)
        if self.kind is bool:
            return serializers.BooleanField(**options)
        if self.choices:
            return serializers.ChoiceField(choices=self.choices, **options)
        if self.kind is str:
            if self.pattern is not None:
                return serializers.RegexField(
                    rf"^{self.pattern}\Z", max_length=self.max_length, **options
                )
            return serializers.CharField(max_length=self.max_length, **options)
        number = serializers.IntegerField if self.kind is int else serializers.FloatField
        return number(min_value=self.low, max_value=self.high, **options)


def bound_problems(bounds: dict[str, Bound], values: dict, *, prefix: str = "") -> dict:
    """Every value of `values` that its bound refuses, as field errors; names that have no
    bound are refused too."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        bound = bounds.get(name)
        problem = "Unknown setting." if bound is None else bound.problem(value)
        if problem:
            errors[f"{prefix}{name}"] = [problem]
    return errors
