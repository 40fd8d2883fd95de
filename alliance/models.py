import uuid
from datetime import time

from django.db import models
from django.utils.translation import gettext_lazy

from practice.models import Client, Session, updated_index
from practice.tenancy import PracticeOrSharedManager, PracticeOwnedModel


class Instrument(models.Model):
    """One version of a questionnaire: its items, how it is scored and where it flags concern.

    Built-in instruments belong to no practice and every practice may use them; a practice's
    own belong to it. Editing an instrument that has answers makes a new version, so that a
    response always stays tied to the exact items it answered.

    `items`: `[{code, text, min, max, step, min_label, max_label, role?, translations?}]`
    where `translations` maps a language to `{text, min_label, max_label}`.
    `scoring`: `{"method": "sum" | "mean", "subscales": {name: [item codes]}}`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey(
        "practice.Practice", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    name = models.CharField(max_length=200)
    items = models.JSONField()
    scoring = models.JSONField()
    # A total below `threshold`, or any item below `item_threshold`, is a low score.
    threshold = models.FloatField(null=True, blank=True)
    item_threshold = models.FloatField(null=True, blank=True)
    # Published norms for reliable change (Jacobson & Truax), where the instrument has them.
    standard_deviation = models.FloatField(null=True, blank=True)
    reliability = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PracticeOrSharedManager()
    across_practices_unsafe = models.Manager()  # noqa: DJ012 - a manager, not a field

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "code", "version"], name="instrument_version_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "code", "is_current"], name="instrument_code"),
            updated_index("instrument"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_built_in(self) -> bool:
        return self.practice_id is None

    @property
    def item_codes(self) -> list[str]:
        return [item["code"] for item in self.items]

    @property
    def total_range(self) -> tuple[float, float]:
        """The lowest and highest total the scoring can give."""
        low = sum(item["min"] for item in self.items)
        high = sum(item["max"] for item in self.items)
        if self.scoring.get("method") == "mean":
            return low / len(self.items), high / len(self.items)
        return low, high


class SurveyPolicy(PracticeOwnedModel):
    """When and how a practice's clients are asked about the alliance after a session."""

    instrument_code = models.SlugField(max_length=60, default="alliance-check")
    send_delay_minutes = models.PositiveIntegerField(default=60)
    every_nth_session = models.PositiveIntegerField(default=1)
    min_days_between = models.PositiveIntegerField(default=0)
    reminder_after_hours = models.PositiveIntegerField(null=True, blank=True)
    expires_after_hours = models.PositiveIntegerField(default=72)
    # In the client's local time; a send that falls inside moves to `quiet_hours_end`.
    quiet_hours_start = models.TimeField(null=True, blank=True, default=time(21, 0))
    quiet_hours_end = models.TimeField(null=True, blank=True, default=time(8, 0))
    # The language of every survey; null (the API's null too): each client's own.
    language = models.CharField(  # noqa: DJ001
        max_length=8, choices=Client.Language.choices, null=True, blank=True, default=None
    )
    # Under the practice's time-based cadence: how many weeks apart each active client is asked.
    every_n_weeks = models.PositiveIntegerField(default=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "survey policies"
        constraints = [
            models.UniqueConstraint(fields=["practice"], name="survey_policy_one_per_practice"),
        ]

    def __str__(self) -> str:
        return f"Survey policy of {self.practice}"


class SurveyInvitation(PracticeOwnedModel):
    """One survey of a client, from planning to answer or expiry: after a session, in the
    session itself, or on the practice's time-based cadence (then without a session)."""

    class Status(models.TextChoices):
        PLANNED = "planned"
        SENT = "sent"
        OPENED = "opened"
        COMPLETED = "completed"
        EXPIRED = "expired"
        CANCELLED = "cancelled"
        # Its email failed for good (refused, or out of attempts): the client never had a
        # working link, so this is no non-response.
        FAILED = "failed"

    class Channel(models.TextChoices):
        EMAIL = "email"
        WEBHOOK = "webhook"
        EMAIL_AND_WEBHOOK = "email_and_webhook"
        # A short-lived link shown in the room (`POST /sessions/{id}/survey-link/`).
        IN_SESSION = "in_session"

    ANSWERABLE = (Status.SENT, Status.OPENED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="invitations")
    # None for a survey of the time-based cadence.
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    send_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Set when the non-response rule has looked at this expired invitation.
    non_response_evaluated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="invitation_practice_id"),
            models.UniqueConstraint(fields=["practice", "session"], name="invitation_per_session"),
        ]
        indexes = [
            models.Index(fields=["practice", "client", "send_at"], name="invitation_client"),
            models.Index(fields=["status", "send_at"], name="invitation_due"),
            models.Index(fields=["practice", "created_at"], name="invitation_created"),
            updated_index("invitation"),
        ]

    def __str__(self) -> str:
        return f"Invitation {str(self.id)[:8]} ({self.status})"


class SurveyLink(PracticeOwnedModel):
    """A link sent for an invitation. Only the hash of its token is stored.

    An invitation has one live link per channel: each message rendered for it (the first, a
    resend after a lost delivery record, the reminder) carries a new token and revokes the
    earlier ones of its channel, so the latest email's (or `survey.ready` webhook's) link is the
    one that answers. A link shown in the session revokes every other, and lives for minutes
    (`expires_at`). A revoked link still stops surveys.
    """

    invitation = models.ForeignKey(SurveyInvitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    # The channel it was sent by: a new link revokes the earlier ones of its channel only, so
    # that an invitation sent by email and webhook keeps one live link in each.
    channel = models.CharField(
        max_length=20,
        choices=SurveyInvitation.Channel.choices,
        default=SurveyInvitation.Channel.EMAIL,
    )
    # Empty: the link lives as long as its invitation.
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="surveylink_practice_id"),
        ]


class SurveyResponse(PracticeOwnedModel):
    """A client's answers to one invitation, scored by the instrument version they answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="response"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="responses")
    # None for an answer to a survey of the time-based cadence.
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="responses"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    total = models.FloatField()
    mean = models.FloatField()
    subscales = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    discuss_request = models.BooleanField(default=False)
    answered_at = models.DateTimeField()
    # Set when the alert rules have looked at this response; beat finds any left behind.
    alerts_evaluated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="response_practice_id"),
        ]
        indexes = [
            models.Index(fields=["practice", "client", "answered_at"], name="response_client"),
            models.Index(fields=["practice", "answered_at"], name="response_answered"),
            updated_index("response"),
        ]

    def __str__(self) -> str:
        return f"Response {str(self.id)[:8]}"


class AlertRules(PracticeOwnedModel):
    """A practice's settings for each alert rule; what it has not set takes the defaults
    of `alliance.alerts.rules.DEFAULT_RULES` (the clinical reference's)."""

    settings = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "alert rules"
        constraints = [
            models.UniqueConstraint(fields=["practice"], name="alert_rules_one_per_practice"),
        ]

    def __str__(self) -> str:
        return f"Alert rules of {self.practice}"


class Alert(PracticeOwnedModel):
    """A client's alliance needs the clinician's attention, with the numbers that say why."""

    class Kind(models.TextChoices):
        LOW_SCORE = "low_score"
        DROP = "drop"
        NO_PROGRESS = "no_progress"
        DISCUSS_REQUEST = "discuss_request"
        NON_RESPONSE = "non_response"

    class Severity(models.TextChoices):
        # Lowest first. A prompt is worth talking about next session: never emailed, closed
        # when the client's next session completes. Amber and red are emailed; red escalates.
        PROMPT = "prompt"
        AMBER = "amber"
        RED = "red"

    class Status(models.TextChoices):
        OPEN = "open"
        ACKNOWLEDGED = "acknowledged"
        RESOLVED = "resolved"

    ACTIVE = (Status.OPEN, Status.ACKNOWLEDGED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="alerts")
    clinician = models.ForeignKey(
        "practice.Clinician", on_delete=models.PROTECT, related_name="alerts"
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    evidence = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the alert became red: escalation counts from here.
    red_since = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True)
    acknowledged_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=200, blank=True)
    resolved_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="alert_practice_id"),
            # One active alert per client and kind: new evidence updates it.
            models.UniqueConstraint(
                fields=["practice", "client", "kind"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="alert_one_active_per_client_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "created_at"], name="alert_created"),
            models.Index(fields=["practice", "client", "kind", "status"], name="alert_client"),
            models.Index(fields=["severity", "status", "red_since"], name="alert_escalation"),
            updated_index("alert"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} alert {str(self.id)[:8]} ({self.severity})"


class AlertAction(PracticeOwnedModel):
    """One thing done about an alert, by whom and when: the alert's history.

    `by` is how the actor was shown when they acted (a member's address, an API key's name), so
    the history still reads after a member is removed or a key revoked.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", gettext_lazy("Acknowledged")
        RESOLVED = "resolved", gettext_lazy("Resolved")
        DISCUSSED = "discussed", gettext_lazy("Talked about it in session")
        NEW_EPISODE = "new_episode", gettext_lazy("Started a new episode")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    member = models.ForeignKey(
        "practice.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    api_key = models.ForeignKey(
        "practice.APIKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_type = models.CharField(
        max_length=10, choices=[("member", "member"), ("api_key", "API key")]
    )
    by = models.CharField(max_length=300)
    note = models.TextField(blank=True)
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="alertaction_practice_id"),
        ]
        indexes = [
            models.Index(fields=["practice", "alert", "created_at"], name="alertaction_alert"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.by}"


class ClinicianBrief(PracticeOwnedModel):
    """A clinician's brief for one day of theirs: looked at once, at the practice's brief hour
    in the clinician's time zone, and emailed only when that day's sessions include clients with
    open alerts or prompts (`sessions` > 0)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinician = models.ForeignKey("practice.Clinician", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sessions = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="clinicianbrief_practice_id"),
            models.UniqueConstraint(
                fields=["practice", "clinician", "day"], name="clinicianbrief_once_a_day"
            ),
        ]
