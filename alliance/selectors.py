"""Reads for instruments, survey policy, invitations and responses."""

from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby

from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery

from alliance.models import (
    Alert,
    AlertRules,
    Instrument,
    SurveyInvitation,
    SurveyLink,
    SurveyPolicy,
    SurveyResponse,
)
from alliance.rules import Answer, merged_rules
from alliance.scoring import is_low
from alliance.tokens import hash_token
from practice.tenancy import current_practice


def survey_policy() -> SurveyPolicy:
    """The practice's policy; the defaults until the practice has changed any of them."""
    return SurveyPolicy.objects.first() or SurveyPolicy(practice=current_practice())


def survey_language(client) -> str:
    """The language a client's surveys speak: the practice's choice, else the client's."""
    return survey_policy().language or client.language


def instrument_list() -> QuerySet[Instrument]:
    """The current version of every instrument the practice may use."""
    return Instrument.objects.filter(is_current=True).order_by("code")


def instrument_current(code: str) -> Instrument | None:
    """The practice's own current version of `code`, else the built-in one."""
    versions = Instrument.objects.filter(code=code, is_current=True)
    return versions.exclude(practice=None).first() or versions.filter(practice=None).first()


def invitation_list() -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.select_related("instrument")


def response_list() -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.select_related("instrument")


def alliance_series(*, client_id) -> QuerySet[SurveyResponse]:
    """A client's responses, oldest first."""
    return response_list().filter(client_id=client_id).order_by("answered_at", "id")


def survey_link_for_token(token: str) -> SurveyLink | None:
    """The link a client opened, with what its page shows.

    The token is what tells the practice, so this necessarily looks across practices.
    """
    return (
        SurveyLink.across_practices_unsafe.select_related(
            "practice",
            "invitation__instrument",
            "invitation__client__clinician",
            "invitation__session",
        )
        .filter(token_hash=hash_token(token))
        .first()
    )


def alliance_summary(*, clinician_id=None) -> dict:
    """Response rate, mean and latest totals, and clients whose latest answer is low.

    Totals of different instruments are not comparable, so the figures are per instrument.
    """
    invitations = SurveyInvitation.objects.exclude(
        status__in=[SurveyInvitation.Status.PLANNED, SurveyInvitation.Status.CANCELLED]
    )
    responses = response_list()
    if clinician_id is not None:
        invitations = invitations.filter(client__clinician_id=clinician_id)
        responses = responses.filter(client__clinician_id=clinician_id)
    counts = invitations.aggregate(
        delivered=Count("id"),
        completed=Count("id", filter=Q(status=SurveyInvitation.Status.COMPLETED)),
    )
    latest = list(
        responses.filter(
            answered_at=Subquery(
                SurveyResponse.objects.filter(client_id=OuterRef("client_id"))
                .order_by("-answered_at")
                .values("answered_at")[:1]
            )
        )
    )
    by_instrument = {}
    for row in responses.values("instrument__code").annotate(
        responses=Count("id"), mean_total=Avg("total")
    ):
        by_instrument[row["instrument__code"]] = {
            "instrument": row["instrument__code"],
            "responses": row["responses"],
            "mean_total": round(row["mean_total"], 2),
            "clients": 0,
            "mean_latest_total": None,
            "clients_below_threshold": 0,
        }
    for code, group in groupby(sorted(latest, key=_code), key=_code):
        group = list(group)
        summary = by_instrument[code]
        summary["clients"] = len(group)
        summary["mean_latest_total"] = round(sum(r.total for r in group) / len(group), 2)
        summary["clients_below_threshold"] = sum(
            is_low(r.instrument, r.total, r.answers) for r in group
        )
    delivered = counts["delivered"]
    return {
        "clinician": clinician_id,
        "invitations_delivered": delivered,
        "responses": counts["completed"],
        "response_rate": round(counts["completed"] / delivered, 3) if delivered else None,
        "by_instrument": sorted(by_instrument.values(), key=lambda s: s["instrument"]),
    }


def _code(response: SurveyResponse) -> str:
    return response.instrument.code


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
    from practice.models import Membership

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
