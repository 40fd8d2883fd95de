"""Reads for alerts, alert settings and what the rules look at."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet

from alliance.alerts.rules import Answer, merged_rules
from alliance.models import Alert, AlertRules, SurveyInvitation, SurveyResponse
from alliance.surveys.selectors import response_list
from practice.models import Membership


def alert_rules() -> dict:
    """The practice's alert rules: its own settings over the clinical reference's defaults."""
    rules = AlertRules.objects.first()
    return merged_rules(rules.settings if rules else {})


def alert_list() -> QuerySet[Alert]:
    return Alert.objects.all()


def as_rule_answer(response: SurveyResponse) -> Answer:
    instrument = response.instrument
    progress = next((i["code"] for i in instrument.items if i.get("role") == "progress"), None)
    return Answer(
        response_id=str(response.pk),
        session_id=str(response.session_id),
        answered_at=response.answered_at,
        instrument_code=instrument.code,
        instrument_version=instrument.version,
        total=response.total,
        total_range=instrument.total_range,
        items=response.answers,
        item_ranges={i["code"]: (i["min"], i["max"]) for i in instrument.items},
        progress_item=progress,
        threshold=instrument.threshold,
        item_threshold=instrument.item_threshold,
        standard_deviation=instrument.standard_deviation,
        reliability=instrument.reliability,
        discuss_request=response.discuss_request,
    )


@dataclass(frozen=True)
class RuleInputs:
    """What the rules need about one new response: a fixed number of indexed queries,
    however long the client's history."""

    recent: list[Answer]  # the episode's latest answers, newest first (the new one first)
    baseline: list[Answer]  # the episode's first answers, oldest first
    window: list[Answer]  # the episode's answers within the progress window, oldest first


def rule_inputs_for_response(response: SurveyResponse, rules: dict) -> RuleInputs:
    episode = response_list().filter(
        client_id=response.client_id, answered_at__lte=response.answered_at
    )
    if response.client.episode_started_at is not None:
        episode = episode.filter(answered_at__gte=response.client.episode_started_at)
    recent_count = max(rules["low_score"]["red_after_consecutive"], 2)
    recent = episode.order_by("-answered_at", "-id")[:recent_count]
    baseline = episode.order_by("answered_at", "id")[: rules["drop"]["baseline_answers"]]
    since = response.answered_at - timedelta(days=rules["no_progress"]["window_days"])
    window = episode.filter(answered_at__gte=since).order_by("answered_at", "id")
    return RuleInputs(
        recent=[as_rule_answer(r) for r in recent],
        baseline=[as_rule_answer(r) for r in baseline],
        window=[as_rule_answer(r) for r in window],
    )


def latest_closed_invitations(*, client, count: int) -> list[tuple[str, str]]:
    """The client's latest answered or expired invitations of this episode, newest first."""
    closed = SurveyInvitation.objects.filter(
        client=client,
        status__in=[SurveyInvitation.Status.COMPLETED, SurveyInvitation.Status.EXPIRED],
    )
    if client.episode_started_at is not None:
        closed = closed.filter(send_at__gte=client.episode_started_at)
    rows = closed.order_by("-send_at", "-id").values_list("id", "status")[:count]
    return [(str(invitation), status) for invitation, status in rows]


def practice_admin_emails() -> list[str]:
    """Where escalations go: the practice's owners and admins."""
    return sorted(
        set(
            Membership.objects.filter(role__in=[Membership.Role.OWNER, Membership.Role.ADMIN])
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def alert_kinds_by_session(*, client_id) -> dict:
    """The kinds of alert each of a client's sessions raised, for marking them on a chart."""
    kinds: dict = {}
    for session_id, kind in Alert.objects.filter(client_id=client_id).values_list(
        "session_id", "kind"
    ):
        kinds.setdefault(session_id, set()).add(kind)
    return kinds
