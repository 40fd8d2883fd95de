"""What the survey policy's settings and an instrument's parts may be, declared once.

`alliance.surveys.services` enforces these for the API and admin alike; the API's fields are
made from them, so the OpenAPI schema shows the same bounds, patterns and choices.
"""

from practice.bounds import Bound
from practice.models import Client

LANGUAGE = Bound(str, choices=tuple(Client.Language.choices), nullable=True)
LANGUAGES = LANGUAGE.values

SURVEY_POLICY = {
    # Up to a month after the session; a later survey would ask about another session.
    "send_delay_minutes": Bound(int, 0, 60 * 24 * 30),
    "every_nth_session": Bound(int, 1, 100),
    "every_n_weeks": Bound(int, 1, 52),
    "min_days_between": Bound(int, 0, 365),
    "reminder_after_hours": Bound(int, 1, 24 * 30, nullable=True),
    "expires_after_hours": Bound(int, 1, 24 * 60),
    "language": LANGUAGE,
}
# A local wall-clock time, HH:MM.
QUIET_HOURS_TIME_PATTERN = r"([01][0-9]|2[0-3]):[0-5][0-9]"

CODE_PATTERN = r"[-a-zA-Z0-9_]+"
INSTRUMENT_CODE = Bound(str, pattern=CODE_PATTERN, max_length=60)
INSTRUMENT_NAME = Bound(str, max_length=200)
# Totals and cut-offs: up to MAX_ITEMS items of the widest scale.
INSTRUMENT_NORMS = {
    "threshold": Bound(float, -1e8, 1e8, nullable=True),
    "item_threshold": Bound(float, -1e6, 1e6, nullable=True),
    "standard_deviation": Bound(float, 0.001, 1e8, nullable=True),
    # Reliable change divides by the square root of 1 - r: r = 1 would make every change reliable.
    "reliability": Bound(float, 0, 0.999, nullable=True),
}
MAX_ITEMS = 100
# The survey page shows one input per step: a range of more steps is no scale a client can use.
MAX_STEPS_PER_ITEM = 1000

ITEM = {
    "code": Bound(str, pattern=CODE_PATTERN, max_length=40),
    "text": Bound(str, max_length=500),
    "min": Bound(float, -1e6, 1e6),
    "max": Bound(float, -1e6, 1e6),
    "step": Bound(float, 0.001, 1e6),
    "min_label": Bound(str, max_length=80),
    "max_label": Bound(str, max_length=80),
    "role": Bound(str, choices=("progress",)),
}
ITEM_REQUIRED = ("code", "text", "min", "max", "step")
# What a translation may carry: the words only, never the scale.
ITEM_TRANSLATION = {name: ITEM[name] for name in ("text", "min_label", "max_label")}

SCORING_METHOD = Bound(str, choices=("sum", "mean"))
