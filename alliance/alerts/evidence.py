"""An alert as the clinician's pages show it: what kind, how severe, where it stands, and its
evidence in plain words (`alliance.alerts.wording`), in the reader's language."""

from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from alliance.alerts.wording import evidence_in_words
from alliance.models import Alert

KIND_TITLES = {
    "low_score": gettext_lazy("Low alliance"),
    "drop": gettext_lazy("A fall in alliance"),
    "no_progress": gettext_lazy("No sense of progress"),
    "discuss_request": gettext_lazy("Wants to talk about it"),
    "non_response": gettext_lazy("Surveys left unanswered"),
}
SEVERITY_LABELS = {
    "prompt": gettext_lazy("Prompt"),
    "amber": gettext_lazy("Amber"),
    "red": gettext_lazy("Red"),
}
STATUS_LABELS = {
    "open": gettext_lazy("Open"),
    "acknowledged": gettext_lazy("Acknowledged"),
    "resolved": gettext_lazy("Resolved"),
}


@dataclass
class AlertInWords:
    alert: Alert
    title: str
    severity: str
    status: str
    explanation: str


def alert_in_words(alert: Alert) -> AlertInWords:
    return AlertInWords(
        alert=alert,
        title=str(KIND_TITLES.get(alert.kind, alert.kind)),
        severity=str(SEVERITY_LABELS.get(alert.severity, alert.severity)),
        status=str(STATUS_LABELS.get(alert.status, alert.status)),
        explanation=capfirst(evidence_in_words(alert.kind, alert.evidence or {})),
    )
