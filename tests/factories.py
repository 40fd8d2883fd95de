"""Test data made through the same services as production code, inside a practice scope."""

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import mail
from django.utils import timezone

from alliance.alerts.tasks import evaluate_alerts_for_response
from alliance.models import Instrument, SurveyInvitation, SurveyPolicy, SurveyResponse
from alliance.surveys import services as survey_services
from notifications.models import OutboxMessage
from notifications.tasks import deliver_message
from practice import services
from practice.models import Client, Clinician, Membership, Practice, Session
from practice.tenancy import practice_scope

_numbers = itertools.count(1)


@dataclass
class PracticeWithKey:
    practice: Practice
    api_key: str


def make_practice(name: str = "Practice", **kwargs) -> PracticeWithKey:
    n = next(_numbers)
    practice, raw_key = services.practice_create(
        name=f"{name} {n}", owner_email=f"owner{n}@example.org", **kwargs
    )
    return PracticeWithKey(practice=practice, api_key=raw_key)


def make_clinician(practice: Practice, **fields) -> Clinician:
    n = next(_numbers)
    fields = {"name": f"Clinician {n}", "email": f"clinician{n}@example.org"} | fields
    with practice_scope(practice):
        return services.clinician_create(**fields)


def make_member(practice: Practice, **fields) -> Membership:
    n = next(_numbers)
    fields = {"email": f"member{n}@example.org", "role": "admin"} | fields
    with practice_scope(practice):
        return services.member_create(**fields)


def make_client(practice: Practice, clinician: Clinician | None = None, **fields) -> Client:
    n = next(_numbers)
    clinician = clinician or make_clinician(practice)
    fields = {
        "name": f"Client {n}",
        "email": f"client{n}@example.org",
        "survey_consent": True,
    } | fields
    with practice_scope(practice):
        return services.client_create(clinician=clinician, **fields)


def make_session(
    practice: Practice, client: Client | None = None, starts_at: datetime | None = None, **fields
) -> Session:
    client = client or make_client(practice)
    starts_at = starts_at or timezone.now() - timedelta(hours=1)
    with practice_scope(practice):
        return services.session_create(client=client, starts_at=starts_at, **fields)


def set_survey_policy(practice: Practice, **changes) -> SurveyPolicy:
    with practice_scope(practice):
        return survey_services.survey_policy_update(**changes)


SEND_AT_ONCE = {"send_delay_minutes": 0, "quiet_hours_start": None, "quiet_hours_end": None}


def deliver_outbox() -> None:
    """Deliver what the outbox holds, as a worker would once the transaction commits (commit
    hooks do not run inside a test's transaction)."""
    pending = OutboxMessage.across_practices_unsafe.filter(
        status=OutboxMessage.Status.PENDING
    ).order_by("created_at", "id")
    for practice_id, message_id in pending.values_list("practice_id", "id"):
        deliver_message(str(practice_id), str(message_id))


def token_from_email(message) -> str:
    return re.search(r"/s/([A-Za-z0-9_-]{43})/", message.body).group(1)


def send_survey(practice: Practice, client: Client | None = None) -> SurveyInvitation:
    """A survey sent to the client after a completed session, its email through the outbox
    (delivered, or not, as the mail server decides)."""
    invitation = write_survey_email(practice, client)
    deliver_outbox()
    invitation.refresh_from_db()
    return invitation


def write_survey_email(practice: Practice, client: Client | None = None) -> SurveyInvitation:
    """A survey sent to the client after a completed session: its email waits in the outbox
    (in a test's transaction, where commit hooks do not run)."""
    client = client or make_client(practice)
    session = make_session(practice, client=client)
    with practice_scope(practice):
        services.session_complete(session=session)
        invitation = SurveyInvitation.objects.get(session=session)
        # Due now, whatever delay and quiet hours the practice's policy asked for; the policy
        # itself is left as the test set it.
        SurveyInvitation.objects.filter(
            pk=invitation.pk, status=SurveyInvitation.Status.PLANNED
        ).update(send_at=timezone.now())
        # Where commit hooks run (transactional tests), completing has sent it already.
        survey_services.invitation_send(invitation_id=invitation.pk)
    return invitation


def make_sent_invitation(
    practice: Practice, client: Client | None = None
) -> tuple[SurveyInvitation, str]:
    """A survey emailed to the client after a completed session, and the token of its link."""
    invitation = send_survey(practice, client)
    assert invitation.status == SurveyInvitation.Status.SENT
    survey_emails = [m for m in mail.outbox if "/s/" in m.body]
    return invitation, token_from_email(survey_emails[-1])


def make_response(
    practice: Practice, client: Client | None = None, answers: dict | None = None, **fields
) -> SurveyResponse:
    """A client's answers to a survey emailed after a completed session, with the alert rules
    run on them as the task queued on commit would."""
    invitation, _ = make_sent_invitation(practice, client)
    answers = answers or dict.fromkeys(invitation.instrument.item_codes, 10)
    with practice_scope(practice):
        response = survey_services.response_submit(
            invitation=invitation, submitted=answers, **fields
        )
    evaluate_alerts_for_response(str(practice.pk), str(response.pk))
    return response


def make_instrument(practice: Practice, code: str = "our-check", **fields) -> Instrument:
    fields = {
        "name": "Our check",
        "items": [
            {
                "code": "bond",
                "text": "We work well together.",
                "min": 1,
                "max": 5,
                "step": 1,
                "min_label": "Seldom",
                "max_label": "Always",
            },
            {
                "code": "progress",
                "text": "I am getting somewhere.",
                "min": 1,
                "max": 5,
                "step": 1,
                "min_label": "Seldom",
                "max_label": "Always",
                "role": "progress",
            },
        ],
        "scoring": {"method": "sum", "subscales": {}},
        "threshold": 6,
    } | fields
    with practice_scope(practice):
        return survey_services.instrument_create(code=code, **fields)
