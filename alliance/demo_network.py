"""A practice network at realistic scale, for measuring the service (`manage.py seed_demo`).

Every row of one practice is drawn from a random generator seeded by (seed, practice number),
so the same seed always makes the same network, and a practice is written in one transaction
with everything it owns: a practice that exists is complete, and a second run skips it.

Rows go in with PostgreSQL's COPY, bypassing the services on purpose: a service call per row
would take hours for half a million sessions. What the rows hold follows the services' rules
(sequence per client, one invitation per session, one active alert per client and kind, the
outbox's ids-only context), so the service reads them as its own.
"""

import hashlib
import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from alliance.models import Alert, Instrument, SurveyInvitation, SurveyResponse
from notifications.models import OutboxMessage
from practice.models import APIKey, Client, Clinician, Membership, Practice, Session

SESSIONS_PER_CLIENT = (5, 15)  # 10 on average, as the 50,000 clients → 500,000 sessions
# Of completed sessions, the share surveyed, and of those the share answered: with 80% of
# sessions in the past and 90% of those completed, 0.36 of sessions are surveyed and 0.3 answered.
SURVEYED_SHARE = 0.5
ANSWERED_SHARE = 0.833
CLIENTS_PER_CLINICIAN = 10
TIMEZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/Madrid", "UTC")
FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Iris", "Jon")
LAST_NAMES = ("Adams", "Baker", "Costa", "Diaz", "Evans", "Fischer", "Garcia", "Huang", "Ito")
ITEM_CODES = ("comfort", "respect", "heard", "goals", "progress")
LOW_TOTAL, LOW_ITEM = 45, 9  # alliance-check's threshold and item threshold


@dataclass(frozen=True)
class PracticePlan:
    """What one practice of the network gets: its number, size and name."""

    number: int
    clients: int
    large: bool

    def slug(self, seed: int) -> str:
        # The size is part of the name, so that networks of other scales sit beside this one.
        kind = "large" if self.large else "p"
        return f"demo-s{seed}-{kind}{self.number:05d}-{self.clients}c"


@dataclass
class NetworkPlan:
    seed: int
    practices: list[PracticePlan]

    @classmethod
    def build(
        cls,
        *,
        seed: int,
        practices: int,
        clients_per_practice: int,
        large_practices: int,
        large_practice_clients: int,
        scale: float,
    ) -> "NetworkPlan":
        """`scale` multiplies the number of practices and the size of each, large ones too."""
        regular_size = max(1, round(clients_per_practice * scale))
        large_size = max(1, round(large_practice_clients * scale))
        plans = [
            PracticePlan(number=n, clients=large_size, large=True) for n in range(large_practices)
        ]
        plans += [
            PracticePlan(number=n, clients=regular_size, large=False)
            for n in range(max(1, round(practices * scale)))
        ]
        return cls(seed=seed, practices=plans)


@dataclass
class Rows:
    """The rows of one practice, per model, as dicts of field name to value."""

    by_model: dict[type[models.Model], list[dict]] = field(default_factory=dict)

    def add(self, model: type[models.Model], row: dict) -> None:
        self.by_model.setdefault(model, []).append(row)


# The order tables are written in: every row's references are written before it.
WRITE_ORDER = (
    Practice,
    Membership,
    APIKey,
    Clinician,
    Client,
    Session,
    SurveyInvitation,
    SurveyResponse,
    Alert,
    OutboxMessage,
)


class PracticeGenerator:
    """Draws one practice's rows; `anchor` is the network's 'now'."""

    def __init__(self, *, seed: int, plan: PracticePlan, anchor: datetime, instrument_id):
        self.rng = random.Random(f"{seed}:{plan.slug(seed)}")  # noqa: S311 - not a secret
        self.seed = seed
        self.plan = plan
        self.anchor = anchor
        self.instrument_id = instrument_id
        self.rows = Rows()

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, days_before_anchor: float) -> datetime:
        return self.anchor - timedelta(days=days_before_anchor)

    def generate(self) -> Rows:
        plan, rng = self.plan, self.rng
        practice_id = self.uuid()
        slug = plan.slug(self.seed)
        zone = rng.choice(TIMEZONES)
        founded = self.moment(rng.uniform(400, 900))
        name = f"{rng.choice(LAST_NAMES)} {'Group Practice' if plan.large else 'Therapy'} {slug}"
        self.rows.add(
            Practice,
            {
                "id": practice_id,
                "name": name,
                "slug": slug,
                "timezone": zone,
                "created_at": founded,
            },
        )
        self._staff(practice_id, founded)
        clinicians = self._clinicians(practice_id, slug, founded)
        for number in range(plan.clients):
            self._client(practice_id, slug, number, rng.choice(clinicians), zone, founded)
        return self.rows

    def _staff(self, practice_id, founded: datetime) -> None:
        # The owner's user gets its id from auth_user's sequence when the practice is written.
        self.rows.add(
            Membership,
            {
                "id": self.uuid(),
                "practice_id": practice_id,
                "role": Membership.Role.OWNER,
                "created_at": founded,
            },
        )
        # A key whose secret nobody knows: the table has its realistic size, and the benchmark
        # makes its own keys.
        prefix = f"alk_{self.rng.getrandbits(32):08x}"
        self.rows.add(
            APIKey,
            {
                "id": self.uuid(),
                "practice_id": practice_id,
                "name": "Practice system",
                "prefix": prefix,
                "hashed_secret": hashlib.sha256(self.uuid().bytes).hexdigest(),
                "created_at": founded,
                "last_used_at": self.anchor,
            },
        )

    def _clinicians(self, practice_id, slug: str, founded: datetime) -> list[tuple]:
        """The practice's clinicians as (id, email)."""
        clinicians = []
        for number in range(max(1, self.plan.clients // CLIENTS_PER_CLINICIAN)):
            clinician_id = self.uuid()
            email = f"clinician{number}@{slug}.invalid"
            clinicians.append((clinician_id, email))
            self.rows.add(
                Clinician,
                {
                    "id": clinician_id,
                    "practice_id": practice_id,
                    "name": f"Dr. {self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}",
                    "email": email,
                    "active": True,
                    "created_at": founded,
                    "updated_at": founded,
                },
            )
        return clinicians

    def _client(self, practice_id, slug, number, clinician, zone, founded) -> None:
        rng = self.rng
        clinician_id, _ = clinician
        client_id = self.uuid()
        sessions = rng.randint(*SESSIONS_PER_CLIENT)
        # Weekly sessions, about 80% of them in the past.
        first_session = self.anchor - timedelta(weeks=sessions * 0.8, hours=rng.uniform(0, 160))
        joined = max(founded, first_session - timedelta(days=rng.uniform(1, 10)))
        discharged = rng.random() < 0.1
        self.rows.add(
            Client,
            {
                "id": client_id,
                "practice_id": practice_id,
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "email": f"client{number}@{slug}.invalid",
                "clinician_id": clinician_id,
                "survey_consent": rng.random() < 0.9,
                "timezone": zone,
                "language": "es" if rng.random() < 0.15 else "en",
                "status": Client.Status.DISCHARGED if discharged else Client.Status.ACTIVE,
                "created_at": joined,
                "updated_at": joined,
            },
        )
        latest_response = None
        for sequence in range(1, sessions + 1):
            starts_at = first_session + timedelta(weeks=sequence - 1)
            response = self._session(practice_id, client_id, clinician_id, sequence, starts_at)
            latest_response = response or latest_response
        if latest_response is not None and _is_low(latest_response):
            self._alert(practice_id, client_id, clinician, latest_response)

    def _session(self, practice_id, client_id, clinician_id, sequence, starts_at) -> dict | None:
        """One session, its survey and answer where it had them; returns the answer."""
        rng = self.rng
        booked = starts_at - timedelta(days=rng.uniform(1, 14))
        session_id = self.uuid()
        past = starts_at < self.anchor
        roll = rng.random()
        if not past:
            status, completed_at = Session.Status.SCHEDULED, None
        elif roll < 0.9:
            status, completed_at = Session.Status.COMPLETED, starts_at + timedelta(minutes=50)
        else:
            status, completed_at = (
                (Session.Status.CANCELLED if roll < 0.95 else Session.Status.NO_SHOW),
                None,
            )
        self.rows.add(
            Session,
            {
                "id": session_id,
                "practice_id": practice_id,
                "client_id": client_id,
                "clinician_id": clinician_id,
                "starts_at": starts_at,
                "duration_minutes": 50,
                "status": status,
                "completed_at": completed_at,
                "sequence": sequence,
                "created_at": booked,
                "updated_at": completed_at or booked,
            },
        )
        if completed_at is None or rng.random() >= SURVEYED_SHARE:
            return None
        return self._survey(practice_id, client_id, session_id, completed_at)

    def _survey(self, practice_id, client_id, session_id, completed_at):
        rng = self.rng
        invitation_id = self.uuid()
        sent_at = completed_at + timedelta(hours=1)
        expires_at = sent_at + timedelta(hours=72)
        answered = rng.random() < ANSWERED_SHARE
        answered_at = sent_at + timedelta(hours=rng.uniform(0.1, 48)) if answered else None
        if answered and answered_at < self.anchor:
            status = SurveyInvitation.Status.COMPLETED
        elif expires_at < self.anchor:
            status, answered = SurveyInvitation.Status.EXPIRED, False
        else:
            status, answered = SurveyInvitation.Status.SENT, False
        self.rows.add(
            SurveyInvitation,
            {
                "id": invitation_id,
                "practice_id": practice_id,
                "client_id": client_id,
                "session_id": session_id,
                "instrument_id": self.instrument_id,
                "status": status,
                "send_at": sent_at,
                "sent_at": sent_at,
                "opened_at": answered_at,
                "completed_at": answered_at,
                "expires_at": expires_at,
                "non_response_evaluated_at": expires_at if status == "expired" else None,
                "created_at": completed_at,
                "updated_at": answered_at or sent_at,
            },
        )
        self.rows.add(
            OutboxMessage,
            {
                "id": self.uuid(),
                "practice_id": practice_id,
                "kind": OutboxMessage.Kind.SURVEY_INVITATION,
                "recipient": f"client:{client_id}",
                "context": {"invitation": str(invitation_id)},
                "status": OutboxMessage.Status.SENT,
                "due_at": sent_at,
                "next_attempt_at": sent_at,
                "attempts": 1,
                "queued_at": sent_at,
                "sent_at": sent_at,
                "created_at": sent_at,
                "updated_at": sent_at,
            },
        )
        if not answered:
            return None
        # Mostly high, as alliance ratings are, with a tail of low ones.
        answers = {code: min(10, max(0, round(rng.gauss(9.2, 1.0)))) for code in ITEM_CODES}
        total = sum(answers.values())
        response = {
            "id": self.uuid(),
            "practice_id": practice_id,
            "invitation_id": invitation_id,
            "client_id": client_id,
            "session_id": session_id,
            "instrument_id": self.instrument_id,
            "answers": answers,
            "total": float(total),
            "mean": total / len(answers),
            "subscales": {},
            "comment": "",
            "discuss_request": rng.random() < 0.03,
            "answered_at": answered_at,
            "alerts_evaluated_at": answered_at,
            "updated_at": answered_at,
        }
        self.rows.add(SurveyResponse, response)
        return response

    def _alert(self, practice_id, client_id, clinician, response: dict) -> None:
        rng = self.rng
        clinician_id, clinician_email = clinician
        raised_at = response["answered_at"]
        red = response["total"] < LOW_TOTAL - 10
        status = rng.choice(Alert.Status.values)
        alert_id = self.uuid()
        self.rows.add(
            Alert,
            {
                "id": alert_id,
                "practice_id": practice_id,
                "client_id": client_id,
                "clinician_id": clinician_id,
                "session_id": response["session_id"],
                "kind": Alert.Kind.LOW_SCORE,
                "severity": Alert.Severity.RED if red else Alert.Severity.AMBER,
                "status": status,
                "evidence": {
                    "rule": "low_score",
                    "total": response["total"],
                    "threshold": LOW_TOTAL,
                    "item_threshold": LOW_ITEM,
                    "responses": [str(response["id"])],
                },
                "created_at": raised_at,
                "updated_at": raised_at,
                "red_since": raised_at if red else None,
                "acknowledged_at": raised_at if status != Alert.Status.OPEN else None,
                "acknowledged_by": "Practice system" if status != Alert.Status.OPEN else "",
                "resolved_at": raised_at if status == Alert.Status.RESOLVED else None,
                "resolved_by": "Practice system" if status == Alert.Status.RESOLVED else "",
            },
        )
        self.rows.add(
            OutboxMessage,
            {
                "id": self.uuid(),
                "practice_id": practice_id,
                "kind": OutboxMessage.Kind.ALERT,
                "recipient": clinician_email,
                "context": {"alert": str(alert_id)},
                "status": OutboxMessage.Status.SENT,
                "due_at": raised_at,
                "next_attempt_at": raised_at,
                "attempts": 1,
                "queued_at": raised_at,
                "sent_at": raised_at,
                "created_at": raised_at,
                "updated_at": raised_at,
            },
        )


def _is_low(response: dict) -> bool:
    return response["total"] < LOW_TOTAL or min(response["answers"].values()) < LOW_ITEM


def network_anchor() -> datetime:
    """'Now' of the network: today's midnight, so a day's reruns draw the same dates."""
    today = datetime.now(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


def alliance_check_id():
    return (
        Instrument.across_practices_unsafe.filter(
            practice=None, code="alliance-check", is_current=True
        )
        .values_list("id", flat=True)
        .get()
    )


def seeded_slugs(plan: NetworkPlan) -> set[str]:
    slugs = [p.slug(plan.seed) for p in plan.practices]
    return set(Practice.objects.filter(slug__in=slugs).values_list("slug", flat=True))


def copy_rows(model: type[models.Model], rows: Iterable[dict]) -> int:
    """COPY `rows` into `model`'s table; fields a row leaves out take the field's default, and
    timestamps that saving would set (`auto_now`, `auto_now_add`) take the time of the copy."""
    fields = model._meta.concrete_fields
    now = timezone.now()
    defaults = [
        now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in fields
    ]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    count = 0
    with connection.cursor() as cursor:
        sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(
                    [
                        _adapt(row.get(f.attname, default))
                        for f, default in zip(fields, defaults, strict=True)
                    ]
                )
                count += 1
    return count


def _adapt(value):
    return Jsonb(value) if isinstance(value, dict | list) else value


def seed_practice(*, plan: PracticePlan, seed: int, anchor: datetime, instrument_id) -> dict:
    """Write one practice with everything it owns, in one transaction; returns rows per table."""
    rows = PracticeGenerator(
        seed=seed, plan=plan, anchor=anchor, instrument_id=instrument_id
    ).generate()
    counts = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Demo data can be written again after a crash: no need to wait for the disk.
            cursor.execute("SET LOCAL synchronous_commit = off")
        (membership,) = rows.by_model[Membership]
        owner = get_user_model().objects.create(
            username=f"owner@{plan.slug(seed)}.invalid", email=f"owner@{plan.slug(seed)}.invalid"
        )
        membership["user_id"] = owner.pk
        for model in WRITE_ORDER:
            counts[model._meta.db_table] = copy_rows(model, rows.by_model.get(model, []))
    return counts


def practices_to_seed(plan: NetworkPlan) -> Iterator[PracticePlan]:
    done = seeded_slugs(plan)
    return (p for p in plan.practices if p.slug(plan.seed) not in done)
