"""The instruments every practice can use, as data (see `../shared/clinical-reference.md`).

`alliance-check` is the project's own, in its own words. The Session Rating Scale and the
WAI-SR ship as structures only: their wording is licensed, so a practice that holds a licence
adds its own version with the licensed text.
"""


def _item(code, text, low, high, step, min_label, max_label, es=None, role=None):
    item = {
        "code": code,
        "text": text,
        "min": low,
        "max": high,
        "step": step,
        "min_label": min_label,
        "max_label": max_label,
    }
    if role:
        item["role"] = role
    if es:
        item["translations"] = {"es": es}
    return item


def _check_item(code, text, es_text, role=None):
    return _item(
        code,
        text,
        0,
        10,
        1,
        "Not at all",
        "Completely",
        es={"text": es_text, "min_label": "Nada", "max_label": "Totalmente"},
        role=role,
    )


ALLIANCE_CHECK = {
    "code": "alliance-check",
    "name": "Alliance check",
    "items": [
        _check_item(
            "comfort",
            "I felt comfortable and could say what I needed to.",
            "Me sentí cómodo/a y pude decir lo que necesitaba.",
        ),
        _check_item(
            "respect",
            "My beliefs and values were respected.",
            "Se respetaron mis creencias y mis valores.",
        ),
        _check_item(
            "heard",
            "I felt heard; my therapist was focused on me.",
            "Me sentí escuchado/a; mi terapeuta estuvo centrado/a en mí.",
        ),
        _check_item(
            "goals",
            "We agree on what we are working toward.",
            "Estamos de acuerdo en hacia dónde trabajamos.",
        ),
        _check_item(
            "progress",
            "I feel I am making progress.",
            "Siento que estoy avanzando.",
            role="progress",
        ),
    ],
    "scoring": {"method": "sum", "subscales": {}},
    # No published norms: 90% of the range, the same proportion as the SRS cut-off.
    "threshold": 45,
    "item_threshold": 9,
}

SESSION_RATING_SCALE = {
    "code": "srs",
    "name": "Session Rating Scale (structure; licensed wording supplied by the practice)",
    "items": [
        _item("relationship", "Relationship", 0, 10, 0.1, "Low", "High"),
        _item("goals_topics", "Goals and Topics", 0, 10, 0.1, "Low", "High"),
        _item("approach", "Approach or Method", 0, 10, 0.1, "Low", "High"),
        _item("overall", "Overall", 0, 10, 0.1, "Low", "High"),
    ],
    "scoring": {"method": "sum", "subscales": {}},
    "threshold": 36,
    "item_threshold": 9,
}

_WAI_SUBSCALES = {"task": [1, 2, 10, 12], "goal": [4, 6, 8, 11], "bond": [3, 5, 7, 9]}

WORKING_ALLIANCE_INVENTORY_SR = {
    "code": "wai-sr",
    "name": "Working Alliance Inventory, short revised (structure; practice supplies wording)",
    "items": [_item(f"q{n}", f"Item {n}", 1, 5, 1, "Seldom", "Always") for n in range(1, 13)],
    "scoring": {
        "method": "sum",
        "subscales": {name: [f"q{n}" for n in numbers] for name, numbers in _WAI_SUBSCALES.items()},
    },
    # No published cut-off: a practice sets its own threshold in its own version.
    "threshold": None,
    "item_threshold": None,
}

BUILT_IN_INSTRUMENTS = [ALLIANCE_CHECK, SESSION_RATING_SCALE, WORKING_ALLIANCE_INVENTORY_SR]
DEFAULT_INSTRUMENT_CODE = ALLIANCE_CHECK["code"]
