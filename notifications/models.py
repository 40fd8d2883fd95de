import uuid

from django.db import models
from django.utils import timezone

from practice.models import updated_index
from practice.tenancy import PracticeOwnedModel


class OutboxMessage(PracticeOwnedModel):
    """One email or webhook to deliver, written in the transaction of the change that causes it.

    The row holds ids, not content: the message is rendered when it is delivered, from the
    records the ids point to, so that nothing personal waits in a queue and a message that is
    no longer wanted (a client who opted out meanwhile) is cancelled instead of sent.

    pending → claimed → sent, or back to pending with a later `next_attempt_at` after a
    temporary failure, or failed after a permanent one or too many attempts; cancelled when no
    longer wanted. Each move is a compare-and-swap, so two workers never send the same row.
    """

    class Kind(models.TextChoices):
        SURVEY_INVITATION = "survey_invitation"
        SURVEY_REMINDER = "survey_reminder"
        ALERT = "alert"
        ALERT_ESCALATION = "alert_escalation"
        BRIEF = "brief"
        WEBHOOK = "webhook"

    class Channel(models.TextChoices):
        EMAIL = "email"
        WEBHOOK = "webhook"

    class Status(models.TextChoices):
        PENDING = "pending"
        CLAIMED = "claimed"
        SENT = "sent"
        FAILED = "failed"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.CharField(max_length=320)
    context = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    # The claim a delivery holds; only its holder may record the outcome.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="outbox_practice_id"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            # A delivery task claims due emails of its own practice only.
            models.Index(
                fields=["practice", "status", "next_attempt_at"], name="outbox_due_in_practice"
            ),
            models.Index(fields=["status", "claimed_at"], name="outbox_claimed"),
            models.Index(fields=["practice", "created_at"], name="outbox_created"),
            updated_index("outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {str(self.id)[:8]} ({self.status})"


class WebhookEndpoint(PracticeOwnedModel):
    """A practice's receiver of events, signed as the Standard Webhooks specification says.

    The signing secret must be kept to sign, so it is stored; the API shows it only once, when
    it is made. After a rotation the previous secret keeps signing too until
    `previous_secret_expires_at`, so that receivers can switch without missing an event.
    """

    class Event(models.TextChoices):
        SURVEY_READY = "survey.ready"
        SURVEY_SENT = "survey.sent"
        SURVEY_COMPLETED = "survey.completed"
        SURVEY_EXPIRED = "survey.expired"
        CLIENT_OPTED_OUT = "client.opted_out"
        MESSAGE_FAILED = "message.failed"
        ALERT_CREATED = "alert.created"
        ALERT_UPDATED = "alert.updated"
        IMPORT_COMPLETED = "import.completed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="webhook_practice_id"),
        ]
        indexes = [
            models.Index(fields=["practice", "active"], name="webhook_active"),
            updated_index("webhook"),
        ]

    def __str__(self) -> str:
        return self.url


class SuppressedAddress(PracticeOwnedModel):
    """An address the practice's email must not go to again: it bounced for good, its owner
    marked a message as spam, or the mail server refused it permanently.

    Per practice, since a complaint about one practice's email says nothing about another's.
    Only the address (lower-cased) and why are kept; erasing the client does not lift it.
    """

    class Reason(models.TextChoices):
        BOUNCED = "bounced"
        COMPLAINED = "complained"
        REJECTED = "rejected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    address = models.CharField(max_length=320)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "suppressed addresses"
        constraints = [
            models.UniqueConstraint(fields=["practice", "id"], name="suppression_practice_id"),
            models.UniqueConstraint(fields=["practice", "address"], name="suppression_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.reason})"
