"""Reads for instruments, survey policy, invitations and responses."""

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.utils import translation

from alliance.models import (
    Instrument,
    SurveyInvitation,
    SurveyLink,
    SurveyPolicy,
    SurveyResponse,
)
from alliance.surveys.scoring import is_low
from practice.models import Client
from practice.tenancy import current_practice
from practice.tokens import hash_token


def survey_policy() -> SurveyPolicy:
    """The practice's policy; the defaults until the practice has changed any of them."""
    return SurveyPolicy.objects.first() or SurveyPolicy(practice=current_practice())


def survey_language(client, policy: SurveyPolicy | None = None) -> str:
    """The language a client's surveys speak: the practice's choice (its `policy`, read when
    not given), else the client's."""
    return (policy or survey_policy()).language or client.language


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


# What a point of the API's series shows, and what deciding that it is low reads. The rest of a
# response, and of its instrument (the items' wording and the scoring, decoded again for every
# row), was a third of reading the series.
POINT_COLUMNS = (
    "id",
    "session_id",
    "answered_at",
    "total",
    "mean",
    "subscales",
    "answers",
    "discuss_request",
    "instrument__code",
    "instrument__version",
    "instrument__threshold",
    "instrument__item_threshold",
)


def alliance_points(*, client_id) -> QuerySet[SurveyResponse]:
    """`alliance_series` with only what its points show."""
    return alliance_series(client_id=client_id).only(*POINT_COLUMNS)


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


@dataclass(frozen=True)
class AnswerForPage:
    answered_at: datetime
    total: float
    items: list[dict]
    comment: str
    discuss_request: bool
    flagged: bool


def answers_for_page(*, client: Client) -> list[AnswerForPage]:
    """The client's answers, newest first, each item with its text in the reader's language."""
    language = translation.get_language() or "en"
    answers = []
    for response in response_list().filter(client=client).order_by("-answered_at", "-id"):
        items = [
            {
                "text": item.get("translations", {}).get(language, {}).get("text", item["text"]),
                "value": response.answers.get(item["code"]),
            }
            for item in response.instrument.items
        ]
        answers.append(
            AnswerForPage(
                answered_at=response.answered_at,
                total=response.total,
                items=items,
                comment=response.comment,
                discuss_request=response.discuss_request,
                flagged=is_low(response.instrument, response.total, response.answers),
            )
        )
    return answers
