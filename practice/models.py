import datetime
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from practice.tenancy import PracticeOwnedModel


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone, such as 'Europe/Madrid'.")


# A practice's own id for a record travels in URLs (`/clients/external/{external_id}/`), so it
# keeps to characters that need no escaping in a path segment.
EXTERNAL_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:@~|-]{0,127}"
validate_external_id = RegexValidator(
    rf"^{EXTERNAL_ID_PATTERN}\Z",
    "Use 1 to 128 letters, digits or . _ : @ ~ | -, starting with a letter or digit.",
)


def external_id_field() -> models.CharField:
    """The practice's own id for a record (its EHR's or scheduler's); unique per practice."""
    return models.CharField(
        max_length=128, null=True, blank=True, validators=[validate_external_id]
    )


def external_id_unique(model_name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["practice", "external_id"],
        condition=models.Q(external_id__isnull=False),
        name=f"{model_name}_external_id",
    )


def updated_index(model_name: str) -> models.Index:
    """What `?updated_since=` and `?ordering=updated_at` read: a practice's rows by change."""
    return models.Index(fields=["practice", "updated_at", "id"], name=f"{model_name}_updated")


def validate_alert_url_template(value: str) -> None:
    if value and "{alert_id}" not in value:
        raise ValidationError("Put {alert_id} where the alert's id goes.")


class SurveyChannel(models.TextChoices):
    """How a survey link reaches a client: our email, or the practice's own system (its SMS or
    portal), told by a `survey.ready` webhook."""

    EMAIL = "email"
    WEBHOOK = "webhook"


def default_survey_channels() -> list[str]:
    return [SurveyChannel.EMAIL]


def validate_survey_channels(value) -> None:
    if (
        not isinstance(value, list)
        or not value
        or not set(value) <= set(SurveyChannel.values)
        or len(set(value)) != len(value)
    ):
        raise ValidationError('Give ["email"], ["webhook"] or ["email", "webhook"].')


class Practice(models.Model):
    """A therapy practice: the tenant. Everything else belongs to exactly one practice."""

    class SurveyCadence(models.TextChoices):
        # Every Nth completed session (the survey policy's `every_nth_session`).
        SESSIONS = "sessions"
        # Every N weeks for each active client, sessions or not (`every_n_weeks`).
        WEEKS = "weeks"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # Where a clinician opens an alert: the practice's own system, with `{alert_id}` in it.
    # Empty: the alert's address in this API.
    alert_url_template = models.URLField(
        max_length=300,
        blank=True,
        validators=[validate_alert_url_template],
        help_text="e.g. https://records.example.org/alliance-alerts/{alert_id}",
    )
    # The local time, in each clinician's own time zone, at which their daily brief is sent.
    brief_hour = models.TimeField(default=datetime.time(7, 30))
    survey_channels = models.JSONField(
        default=default_survey_channels, validators=[validate_survey_channels]
    )
    survey_cadence = models.CharField(
        max_length=20, choices=SurveyCadence.choices, default=SurveyCadence.SESSIONS
    )
    # Where clients' replies to survey emails go; empty: nowhere (the sender is no-reply).
    reply_to_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        # Django admin looks across practices: only superusers and staff users given this
        # permission may use it (`practice.admin_site.PlatformAdminSite.has_permission`).
        permissions = [("administer_platform", "Can use the platform admin across practices")]

    def __str__(self) -> str:
        return self.name


class Membership(PracticeOwnedModel):
    """A person's place in one practice's staff: their address, role and whether they may sign in.

    A membership belongs to its practice alone: the same address in another practice is another
    membership with its own role and active flag, and nothing links the two. A clinician member
    is the person behind one clinician record, and sees that clinician's clients only.
    """

    class Role(models.TextChoices):
        OWNER = "owner"
        ADMIN = "admin"
        CLINICIAN = "clinician"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    clinician = models.ForeignKey(
        "practice.Clinician",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="Required for the clinician role: the clinician this member is.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="membership_practice_id"),
            models.UniqueConstraint("practice", Lower("email"), name="membership_one_per_address"),
            models.UniqueConstraint(
                fields=["practice", "clinician"], name="membership_one_per_clinician"
            ),
            models.CheckConstraint(
                condition=~models.Q(role="clinician") | models.Q(clinician__isnull=False),
                name="membership_clinician_role_has_clinician",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def sees_whole_practice(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


class SignInLink(PracticeOwnedModel):
    """A one-time link emailed to a member. Only the hash of its token is stored.

    It is made when the email is sent (the token exists only in that email), works once, and
    expires `SIGN_IN_LINK_MINUTES` after it was asked for. `next_path` is where the member was
    going when they were asked to sign in: a path of the clinician's pages, never an address
    outside them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    # Null until the email is written: unique allows many nulls, and never two equal hashes.
    token_hash = models.CharField(max_length=64, null=True, unique=True, editable=False)  # noqa: DJ001
    next_path = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="signinlink_practice_id"),
        ]
        indexes = [models.Index(fields=["expires_at"], name="signinlink_expires")]


class APIKey(PracticeOwnedModel):
    """A practice's credential for the REST API. Only a hash of the secret is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="apikey_practice_id"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Clinician(PracticeOwnedModel):
    """A therapist who sees clients and receives their alliance alerts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = external_id_field()
    name = models.CharField(max_length=200)
    email = models.EmailField()
    active = models.BooleanField(default=True)
    # The clinician's own day: when their brief arrives and what "today" means on their pages.
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="clinician_practice_id"),
            models.UniqueConstraint(fields=["practice", "email"], name="clinician_email_unique"),
            external_id_unique("clinician"),
        ]
        indexes = [
            models.Index(fields=["practice", "created_at"], name="clinician_created"),
            updated_index("clinician"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def first_name(self) -> str:
        """What a client calls their therapist: the first word of the name that is not a title."""
        words = self.name.split()
        return next((w for w in words if not w.endswith(".")), words[0] if words else "")


class Client(PracticeOwnedModel):
    """A person in therapy with the practice."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        DISCHARGED = "discharged"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Español"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = external_id_field()
    name = models.CharField(max_length=200)
    email = models.EmailField()
    clinician = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="clients")
    survey_consent = models.BooleanField(default=False)
    # Set when the client stopped surveys themselves (the unsubscribe link): the practice's
    # system cannot give consent back; only the client can.
    opted_out_at = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Answers before this belong to an earlier episode of care: the baseline starts again.
    # Empty: the client is in their first episode.
    episode_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="client_practice_id"),
            external_id_unique("client"),
        ]
        indexes = [
            models.Index(fields=["practice", "created_at"], name="client_created"),
            models.Index(fields=["practice", "clinician"], name="client_clinician"),
            updated_index("client"),
        ]

    def __str__(self) -> str:
        return f"Client {str(self.id)[:8]}"


class Session(PracticeOwnedModel):
    """One therapy session of a client with a clinician."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        COMPLETED = "completed"
        CANCELLED = "cancelled"
        NO_SHOW = "no_show"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = external_id_field()
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sessions")
    clinician = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=50)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The client's n-th session with the practice, counted from 1 in the order they were booked.
    sequence = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="session_practice_id"),
            models.UniqueConstraint(
                fields=["practice", "client", "sequence"], name="session_sequence_per_client"
            ),
            external_id_unique("session"),
        ]
        indexes = [
            models.Index(fields=["practice", "starts_at"], name="session_starts"),
            models.Index(fields=["practice", "clinician", "starts_at"], name="session_clinician"),
            # The list's order, newest first: a page reads its rows, not every session sorted.
            models.Index(fields=["practice", "created_at", "id"], name="session_created"),
            updated_index("session"),
        ]

    def __str__(self) -> str:
        return f"Session {self.sequence} of {self.client}"


class IdempotencyRecord(PracticeOwnedModel):
    """The first response to a POST sent with an `Idempotency-Key`, replayed on repeats.

    A record without a status code is a request still in flight.
    """

    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "key"], name="idempotency_key_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]


class RecordType(models.TextChoices):
    """The kinds of record a practice's own system keeps in step with this service."""

    CLINICIAN = "clinician"
    CLIENT = "client"
    SESSION = "session"


class Tombstone(PracticeOwnedModel):
    """The mark an erased record leaves, so that a practice's system that syncs can erase its
    copy too: the record's type and id, and when it went. Nothing else about it is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record_type = models.CharField(max_length=40, choices=RecordType.choices)
    record_id = models.UUIDField()
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="tombstone_practice_id"),
        ]
        indexes = [
            models.Index(fields=["practice", "deleted_at", "id"], name="tombstone_deleted"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id}"


class BulkImport(PracticeOwnedModel):
    """A file of clinicians, clients and sessions loaded by a worker, chunk by chunk.

    Each chunk of rows is written in one transaction together with `rows_done`, so a worker
    that dies loses nothing and repeats nothing: the next one resumes after the last chunk that
    committed. The uploaded file is a row of its own (`BulkImportFile`), dropped once the import
    has finished, since it holds the clients' names and addresses.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"

    UNFINISHED = (Status.PENDING, Status.RUNNING)

    class Format(models.TextChoices):
        CSV = "csv"
        JSON_LINES = "jsonl"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    format = models.CharField(max_length=10, choices=Format.choices)
    # Every row's type when the file holds one kind; blank: each row names its own `type`.
    record_type = models.CharField(max_length=20, choices=RecordType.choices, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    # `[{"row": n, "external_id": …, "errors": {field: [messages]}}]`, the first ones only.
    errors = models.JSONField(default=list)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="bulkimport_practice_id"),
        ]
        indexes = [
            models.Index(fields=["practice", "created_at"], name="bulkimport_created"),
            updated_index("bulkimport"),
            models.Index(fields=["status", "updated_at"], name="bulkimport_unfinished"),
        ]

    def __str__(self) -> str:
        return f"Import {str(self.id)[:8]} ({self.status})"


class BulkImportFile(PracticeOwnedModel):
    """The uploaded file of an import, kept only until the import has finished."""

    bulk_import = models.OneToOneField(
        BulkImport, on_delete=models.CASCADE, primary_key=True, related_name="file"
    )
    content = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "bulk_import"], name="bulkimportfile_practice_import"
            ),
        ]
