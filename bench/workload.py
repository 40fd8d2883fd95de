"""Records the bench makes in a seeded practice for what it measures, and takes away after."""

import uuid
from datetime import timedelta

from django.utils import timezone

from alliance.models import Instrument, SurveyInvitation, SurveyLink, SurveyResponse
from practice.models import Client, Clinician, Practice, Session
from practice.services import client_delete
from practice.tenancy import practice_scope
from practice.tokens import hash_token, new_token

ANSWER = {"comfort": 9, "respect": 10, "heard": 8, "goals": 9, "progress": 7}


def alliance_check() -> Instrument:
    return Instrument.across_practices_unsafe.get(
        practice=None, code="alliance-check", is_current=True
    )


def bench_client(practice: Practice, *, sessions: int, status=Session.Status.COMPLETED) -> Client:
    """A consenting client with `sessions` weekly sessions ending now, all in `status`."""
    now = timezone.now()
    with practice_scope(practice):
        clinician = Clinician.objects.filter(active=True).order_by("id").first()
        client = Client.objects.create(
            practice=practice,
            name="Bench Client",
            email=f"bench-{uuid.uuid4().hex[:12]}@bench.invalid",
            clinician=clinician,
            survey_consent=True,
            timezone="UTC",
        )
        Session.objects.bulk_create(
            Session(
                practice=practice,
                client=client,
                clinician=clinician,
                starts_at=now - timedelta(weeks=sessions - n),
                sequence=n + 1,
                status=status,
                completed_at=now if status == Session.Status.COMPLETED else None,
            )
            for n in range(sessions)
        )
    return client


def invitations(client: Client, *, status: str, **fields) -> list[SurveyInvitation]:
    """An invitation of the alliance check for each of the client's sessions."""
    now = timezone.now()
    with practice_scope(client.practice):
        return SurveyInvitation.objects.bulk_create(
            SurveyInvitation(
                practice=client.practice,
                client=client,
                session=session,
                instrument=alliance_check(),
                status=status,
                send_at=now - timedelta(minutes=1),
                **fields,
            )
            for session in client.sessions.order_by("sequence")
        )


def answered_history(client: Client) -> SurveyResponse:
    """An answer to every session of the client; returns the latest."""
    made = invitations(client, status=SurveyInvitation.Status.COMPLETED)
    with practice_scope(client.practice):
        responses = SurveyResponse.objects.bulk_create(
            SurveyResponse(
                practice=client.practice,
                client=client,
                session_id=invitation.session_id,
                invitation=invitation,
                instrument=invitation.instrument,
                answers=ANSWER,
                total=sum(ANSWER.values()),
                mean=sum(ANSWER.values()) / len(ANSWER),
                answered_at=invitation.session.starts_at + timedelta(hours=2),
            )
            for invitation in made
        )
    return responses[-1]


def open_survey_links(client: Client) -> list[str]:
    """A sent, answerable invitation for every session of the client; returns their tokens."""
    sent = invitations(
        client,
        status=SurveyInvitation.Status.SENT,
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=3),
    )
    tokens = [new_token() for _ in sent]
    with practice_scope(client.practice):
        SurveyLink.objects.bulk_create(
            SurveyLink(
                practice=client.practice, invitation=invitation, token_hash=hash_token(token)
            )
            for invitation, token in zip(sent, tokens, strict=True)
        )
    return tokens


def remove(clients: list[Client]) -> None:
    """Erase the bench's clients with everything recorded about them."""
    for client in clients:
        with practice_scope(client.practice):
            client_delete(client=Client.objects.get(pk=client.pk))
