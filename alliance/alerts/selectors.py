"""Reads for alerts, alert settings and what the rules look at."""

import contextlib
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core.cache import cache
from django.db.models import Case, DateTimeField, Prefetch, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from redis.exceptions import RedisError

from alliance.alerts import evaluation, rules, statistics
from alliance.alerts.defaults import merged_rules
from alliance.alerts.evaluation import ActiveAlert, Expiry
from alliance.alerts.preview import ClientHistory
from alliance.models import (
    Alert,
    AlertAction,
    AlertRules,
    Instrument,
    SurveyInvitation,
    SurveyResponse,
)
from alliance.surveys.builtin_instruments import DEFAULT_INSTRUMENT_CODE
from alliance.surveys.selectors import instrument_current, response_list, survey_policy
from practice.models import Client, Clinician, Membership, Session
from practice.selectors import sessions_on_day
from practice.tenancy import current_practice


def alert_rule_overrides() -> dict:
    """What the practice has set itself, rule by rule."""
    rules = AlertRules.objects.first()
    return rules.settings if rules else {}


def alert_rules() -> dict:
    """The practice's alert rules: its own settings over the validated defaults."""
    return merged_rules(alert_rule_overrides())


def alert_list() -> QuerySet[Alert]:
    # The same query as `prefetch_related("actions")`, but given its rows' query, Django does
    # not build a practice-scoped query for each alert of the page only to drop it unrun: that
    # was a third of the alerts page.
    return Alert.objects.prefetch_related(Prefetch("actions", queryset=AlertAction.objects.all()))


def active_alerts(*, client) -> dict[str, Alert]:
    """The client's open and acknowledged alerts and prompts by kind, locked for update."""
    return {
        alert.kind: alert
        for alert in Alert.objects.select_for_update().filter(
            client=client, status__in=Alert.ACTIVE
        )
    }


def active_prompts(*, client_id) -> list[Alert]:
    """The client's open and acknowledged prompts, the only alerts a session closes."""
    return list(
        Alert.objects.filter(
            client_id=client_id, status__in=Alert.ACTIVE, severity=Alert.Severity.PROMPT
        )
    )


def as_active_alert(alert: Alert) -> ActiveAlert:
    return ActiveAlert(
        kind=alert.kind,
        severity=alert.severity,
        status=alert.status,
        evidence=alert.evidence,
        alert_id=str(alert.pk),
    )


def _instrument(instrument) -> rules.Instrument:
    return rules.instrument_from(
        code=instrument.code,
        items=instrument.items,
        scoring=instrument.scoring,
        version=instrument.version,
        threshold=instrument.threshold,
        item_threshold=instrument.item_threshold,
        standard_deviation=instrument.standard_deviation,
        reliability=instrument.reliability,
    )


# What the rules read of a response: its columns, not a model instance (reading whole
# instances, each with its instrument's definition, was most of an evaluation's time).
ANSWER_COLUMNS = ("id", "answered_at", "instrument_id", "total", "answers", "discuss_request")


def _as_answers(rows, known_instruments=()) -> list[rules.Answer]:
    """Rows of `ANSWER_COLUMNS` as the rules see them; each instrument version is read (unless
    among `known_instruments`) and converted once."""
    rows = list(rows)
    instruments = {i.pk: _instrument(i) for i in known_instruments}
    missing = {row[2] for row in rows} - instruments.keys()
    if missing:
        instruments |= {i.pk: _instrument(i) for i in Instrument.objects.filter(pk__in=missing)}
    return [
        rules.Answer(
            response_id=str(response_id),
            answered_at=answered_at,
            instrument=instruments[instrument_id],
            total=total,
            items=items,
            discuss_request=discuss_request,
        )
        for response_id, answered_at, instrument_id, total, items, discuss_request in rows
    ]


def _episode(queryset, client, field: str):
    if client.episode_started_at is not None:
        return queryset.filter(**{f"{field}__gte": client.episode_started_at})
    return queryset


EARLIEST = datetime(1, 1, 1, tzinfo=UTC)


def episode_history(response: SurveyResponse, *, settings: dict) -> list[rules.Answer]:
    """What the rules see of the episode up to `response` (`evaluation.in_view`: its latest
    answers and those of the no-progress window), oldest first: one query, two when an
    earlier answer was given on another instrument version."""
    episode = _episode(
        SurveyResponse.objects.filter(
            client_id=response.client_id, answered_at__lte=response.answered_at
        ),
        response.client,
        "answered_at",
    )
    count = evaluation.answers_in_view(settings)
    # From the earlier of the count's oldest answer and the no-progress window's start: a
    # range of the client's index, however long the episode (the core trims a tie).
    oldest_counted = episode.order_by("-answered_at").values("answered_at")[count - 1 :]
    window_from = rules.no_progress_since(response.answered_at, settings["no_progress"])
    from_ = Least(
        Coalesce(Subquery(oldest_counted[:1]), Value(EARLIEST)),
        Value(window_from, output_field=DateTimeField()),
    )
    rows = (
        episode.filter(answered_at__gte=from_)
        .order_by("answered_at", "id")
        .values_list(*ANSWER_COLUMNS)
    )
    return _as_answers(rows, known_instruments=[response.instrument])


# Only so many recent answers make up a practice's pooled spread: enough to be steady,
# few enough to stay cheap for a large practice.
POOLED_SPREAD_ANSWERS = 5000
# The pooled spread moves slowly; every evaluation reuses it for this long.
POOLED_SPREAD_CACHE_SECONDS = 3600


def pooled_spreads() -> dict:
    """The practice's pooled within-client spread per scale, from its recent answers; kept in
    the cache for an hour (computed afresh while the cache does not answer)."""
    key = f"alerts:pooled-spreads:{current_practice().pk}"
    try:
        spreads = cache.get(key)
    except (RedisError, OSError):
        spreads = None
    if spreads is None:
        spreads = _pooled_spreads_from_answers()
        with contextlib.suppress(RedisError, OSError):
            cache.set(key, spreads, POOLED_SPREAD_CACHE_SECONDS)
    return spreads


def _pooled_spreads_from_answers() -> dict:
    rows = (
        response_list()
        .order_by("-answered_at")
        .values_list("client_id", "instrument_id", "total")[:POOLED_SPREAD_ANSWERS]
    )
    totals: dict = defaultdict(list)
    for client_id, instrument_id, total in rows:
        totals[(instrument_id, client_id)].append(total)
    by_instrument = defaultdict(list)
    for (instrument_id, _client), series in totals.items():
        by_instrument[instrument_id].append(series)
    scales: dict = defaultdict(list)
    for instrument in Instrument.objects.filter(pk__in=by_instrument):
        scales[_instrument(instrument).scale] += by_instrument[instrument.pk]
    return {
        scale: spread
        for scale, series in scales.items()
        if (spread := statistics.pooled_within_client_spread(series)) is not None
    }


CLOSED = (SurveyInvitation.Status.COMPLETED, SurveyInvitation.Status.EXPIRED)


def closed_invitation_statuses(*, client) -> list[tuple[str, str]]:
    """The episode's latest answered or expired invitations, newest first (a failed delivery
    is not a non-response and is not listed)."""
    closed = _episode(
        SurveyInvitation.objects.filter(client=client, status__in=CLOSED), client, "send_at"
    )
    rows = closed.order_by("-send_at", "-id").values_list("id", "status")[
        : evaluation.INVITATIONS_IN_VIEW
    ]
    return [(str(invitation), status) for invitation, status in rows]


def practice_admin_emails() -> list[str]:
    """Where escalations go: the practice's active owners and admins."""
    return sorted(
        Membership.objects.filter(
            role__in=[Membership.Role.OWNER, Membership.Role.ADMIN], active=True
        ).values_list("email", flat=True)
    )


def alert_kinds_by_session(*, client_id) -> dict:
    """The kinds of alert (prompts aside) each of a client's sessions raised, for marking them
    on a chart."""
    kinds: dict = {}
    alerts = Alert.objects.filter(client_id=client_id).exclude(severity=Alert.Severity.PROMPT)
    for session_id, kind in alerts.values_list("session_id", "kind"):
        kinds.setdefault(session_id, set()).add(kind)
    return kinds


def preview_histories(*, since) -> tuple[list[ClientHistory], int]:
    """The episodes of every client with an answer or an expiry since `since`, as the preview
    replays them (earlier answers of the episode make up the baseline), and how many
    clinicians those clients have."""
    answered = response_list().filter(answered_at__gte=since).values_list("client_id", flat=True)
    expired = SurveyInvitation.objects.filter(
        status=SurveyInvitation.Status.EXPIRED, expires_at__gte=since
    ).values_list("client_id", flat=True)
    clients = {c.pk: c for c in Client.objects.filter(pk__in=answered.union(expired))}
    steps: dict = defaultdict(list)
    responses = SurveyResponse.objects.filter(client_id__in=clients).order_by("answered_at", "id")
    rows = list(responses.values_list("client_id", *ANSWER_COLUMNS))
    for (client_id, *_), answer in zip(rows, _as_answers(row[1:] for row in rows), strict=True):
        steps[client_id].append((answer.answered_at, answer))
    expiries = SurveyInvitation.objects.filter(
        client_id__in=clients, status=SurveyInvitation.Status.EXPIRED
    ).values_list("client_id", "id", "expires_at", "send_at")
    for client_id, invitation_id, expires_at, send_at in expiries:
        steps[client_id].append((expires_at or send_at, Expiry(str(invitation_id))))
    histories = []
    for client_id, client in clients.items():
        started = client.episode_started_at
        episode = sorted(
            (pair for pair in steps[client_id] if started is None or pair[0] >= started),
            key=lambda pair: pair[0],
        )
        window_start = next((i for i, (at, _) in enumerate(episode) if at >= since), len(episode))
        histories.append(ClientHistory(str(client_id), [step for _, step in episode], window_start))
    return histories, len({client.clinician_id for client in clients.values()})


def survey_instrument_definition() -> dict:
    """The instrument the practice surveys with, as the harness simulates it."""
    code = survey_policy().instrument_code
    instrument = instrument_current(code) or instrument_current(DEFAULT_INSTRUMENT_CODE)
    return {
        "code": instrument.code,
        "items": instrument.items,
        "scoring": instrument.scoring,
        "threshold": instrument.threshold,
        "item_threshold": instrument.item_threshold,
        "standard_deviation": instrument.standard_deviation,
        "reliability": instrument.reliability,
    }


# What a signed-in member sees of alerts: a clinician those of their own clients, owners and
# admins the whole practice's.

SEVERITY_ORDER = Case(
    When(severity="red", then=Value(0)),
    When(severity="amber", then=Value(1)),
    default=Value(2),
)


def alerts_for_member(member: Membership) -> QuerySet[Alert]:
    alerts = Alert.objects.select_related("client").prefetch_related(
        Prefetch("actions", queryset=AlertAction.objects.select_related("session"))
    )
    if member.sees_whole_practice:
        return alerts
    return alerts.filter(client__clinician_id=member.clinician_id)


def alert_for_member(member: Membership, alert_id) -> Alert | None:
    """The alert, if this member may see it; None for anyone else's, as for an unknown id."""
    return alerts_for_member(member).filter(pk=alert_id).first()


def open_alerts_for_member(member: Membership) -> QuerySet[Alert]:
    """Alerts and prompts still to deal with, the most severe first, then the newest."""
    return (
        alerts_for_member(member)
        .filter(status__in=Alert.ACTIVE)
        .order_by(SEVERITY_ORDER, "-updated_at")
    )


def alerts_of_client(*, client: Client) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(client=client)
        .prefetch_related(
            Prefetch("actions", queryset=AlertAction.objects.select_related("session"))
        )
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class SessionToDiscuss:
    session: Session
    local_start: datetime
    alerts: list


def sessions_to_discuss(
    *, day: date, tz: zoneinfo.ZoneInfo, sessions: QuerySet[Session]
) -> list[SessionToDiscuss]:
    """Of `sessions`, those scheduled on `day` (in `tz`) whose clients have open alerts or
    prompts, in time order, each with those alerts."""
    todays = list(
        sessions_on_day(day, tz)
        .filter(pk__in=sessions.values("pk"), status=Session.Status.SCHEDULED)
        .select_related("client")
        .order_by("starts_at")
    )
    open_alerts: dict = {}
    for alert in Alert.objects.filter(
        client_id__in={s.client_id for s in todays}, status__in=Alert.ACTIVE
    ).order_by(SEVERITY_ORDER, "-updated_at"):
        open_alerts.setdefault(alert.client_id, []).append(alert)
    return [
        SessionToDiscuss(
            session=session,
            local_start=session.starts_at.astimezone(tz),
            alerts=open_alerts[session.client_id],
        )
        for session in todays
        if session.client_id in open_alerts
    ]


def sessions_to_link(*, client: Client) -> list[Session]:
    """The sessions a conversation about an alert may have happened in: the client's latest,
    newest first, with a label for a form."""
    sessions = list(
        Session.objects.filter(client=client)
        .exclude(status__in=[Session.Status.CANCELLED, Session.Status.NO_SHOW])
        .order_by("-starts_at")[:10]
    )
    tz = zoneinfo.ZoneInfo(client.timezone)
    for session in sessions:
        session.label = f"{session.starts_at.astimezone(tz):%Y-%m-%d %H:%M}"
    return sessions


def brief_for_clinician(*, clinician: Clinician, day: date) -> list[SessionToDiscuss]:
    """The clinician's sessions on `day` (their own day, in their time zone) whose clients have
    open alerts or prompts."""
    return sessions_to_discuss(
        day=day,
        tz=zoneinfo.ZoneInfo(clinician.timezone),
        sessions=Session.objects.filter(clinician=clinician),
    )
