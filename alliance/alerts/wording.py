"""An alert's evidence in plain words, in the reader's language.

Evidence is stored as numbers (`alliance.alerts.evaluation`); this says what they mean, in the
active language (`translation.override` around a call picks another).
"""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _number(value: float) -> str:
    return formats.number_format(value, decimal_pos=1, use_l10n=True)


def _low_score(evidence: dict) -> str:
    parts = []
    threshold = evidence.get("threshold")
    if threshold is not None and evidence["total"] < threshold:
        parts.append(
            _("total %(total)s, below the cut-off of %(threshold)s")
            % {"total": _number(evidence["total"]), "threshold": _number(threshold)}
        )
    if evidence.get("low_items"):
        items = ", ".join(
            f"{code} {_number(value)}" for code, value in sorted(evidence["low_items"].items())
        )
        parts.append(
            _("items below %(threshold)s: %(items)s")
            % {"threshold": _number(evidence["item_threshold"]), "items": items}
        )
    alert_below = evidence.get("alert_below")
    if alert_below is not None and evidence["total"] < alert_below:
        count = evidence["consecutive"]
        parts.append(
            ngettext(
                "below %(line)s in %(count)d answer",
                "below %(line)s in %(count)d answers in a row",
                count,
            )
            % {"line": _number(alert_below), "count": count}
        )
    return "; ".join(parts)


def _drop(evidence: dict) -> str:
    words = _(
        "fell from an average of %(baseline)s to %(total)s; "
        "this client's answers usually vary by ±%(spread)s"
    ) % {
        "baseline": _number(evidence["baseline_mean"]),
        "total": _number(evidence["total"]),
        "spread": _number(evidence["spread"]),
    }
    runs = evidence.get("run_answers", 1)
    if runs > 1:
        words += "; " + ngettext(
            "low for %(count)d answer", "low for %(count)d answers in a row", runs
        ) % {"count": runs}
    if evidence.get("reliable_change") is not None:
        words += "; " + _("a reliable change is a fall of %(amount)s or more") % {
            "amount": _number(evidence["reliable_change"])
        }
    return words


def _no_progress(evidence: dict) -> str:
    values = evidence["progress_values"]
    return ngettext(
        "the progress item stayed below %(below)s in %(count)d answer over %(days)d days "
        "(from %(first)s to %(last)s)",
        "the progress item stayed below %(below)s in all %(count)d answers over %(days)d days "
        "(from %(first)s to %(last)s)",
        len(values),
    ) % {
        "below": _number(evidence["below"]),
        "count": len(values),
        "days": evidence["span_days"],
        "first": _number(values[0]),
        "last": _number(values[-1]),
    }


def _discuss_request(evidence: dict) -> str:
    return _("the client asked to talk about this next session")


def _non_response(evidence: dict) -> str:
    count = evidence["expired_in_a_row"]
    return ngettext(
        "%(count)d survey expired unanswered",
        "%(count)d surveys in a row expired unanswered",
        count,
    ) % {"count": count}


_WORDING = {
    "low_score": _low_score,
    "drop": _drop,
    "no_progress": _no_progress,
    "discuss_request": _discuss_request,
    "non_response": _non_response,
}


def evidence_in_words(kind: str, evidence: dict) -> str:
    """E.g. "fell from an average of 38.2 to 32.0; this client's answers usually vary by
    ±1.6". Empty for evidence stored before the numbers it needs were kept."""
    try:
        return _WORDING[kind](evidence)
    except (KeyError, TypeError, IndexError):
        return ""
