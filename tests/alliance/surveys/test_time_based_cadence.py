"""The time-based cadence: every N weeks for each active client, sessions or not."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from alliance.models import SurveyInvitation
from alliance.surveys import tasks
from tests.factories import (
    SEND_AT_ONCE,
    deliver_outbox,
    make_client,
    make_session,
    set_survey_policy,
    token_from_email,
)

pytestmark = pytest.mark.django_db

ALL_TENS = {"comfort": "10", "respect": "10", "heard": "10", "goals": "10", "progress": "10"}


@pytest.fixture
def weekly(api_a, practice_a):
    set_survey_policy(practice_a.practice, **SEND_AT_ONCE, every_n_weeks=3)
    api_a.patch("/api/v1/practice/", {"survey_cadence": "weeks"}, format="json")


def _beat() -> None:
    """What beat does: plan what has come due, send it, deliver it."""
    tasks.plan_time_based_surveys()
    tasks.send_due_invitations()
    deliver_outbox()


def _invitations(api) -> list[dict]:
    return api.get("/api/v1/survey-invitations/").json()["results"]


def test_each_active_consenting_client_is_asked_with_no_session(
    api_a, practice_a, client_a, clinician_a, weekly
):
    make_client(practice_a.practice, clinician=clinician_a, survey_consent=False)
    discharged = make_client(practice_a.practice, clinician=clinician_a)
    api_a.patch(f"/api/v1/clients/{discharged.pk}/", {"status": "discharged"}, format="json")

    _beat()

    [invitation] = _invitations(api_a)
    assert (invitation["client"], invitation["session"]) == (str(client_a.pk), None)
    assert invitation["status"] == "sent"
    assert [m.to for m in mail.outbox] == [[client_a.email]]
    assert mail.outbox[0].subject == "A short question about your sessions"


def test_a_repeat_plans_nothing_until_the_weeks_have_passed(api_a, client_a, weekly):
    _beat()
    _beat()
    with time_machine.travel(timezone.now() + timedelta(weeks=2)):
        _beat()
    assert len(_invitations(api_a)) == 1

    with time_machine.travel(timezone.now() + timedelta(weeks=3, hours=1)):
        _beat()
    assert len(_invitations(api_a)) == 2


def test_completed_sessions_plan_no_survey_under_it(api_a, practice_a, client_a, weekly):
    _beat()
    session = make_session(practice_a.practice, client=client_a)

    api_a.post(f"/api/v1/sessions/{session.pk}/complete/")

    assert not SurveyInvitation.across_practices_unsafe.filter(session=session).exists()


def test_quiet_hours_apply(api_a, practice_a, client_a, weekly):
    set_survey_policy(
        practice_a.practice,
        quiet_hours_start=(timezone.now() - timedelta(hours=1)).time(),
        quiet_hours_end=(timezone.now() + timedelta(hours=2)).time(),
    )
    api_a.patch(f"/api/v1/clients/{client_a.pk}/", {"timezone": "UTC"}, format="json")

    _beat()

    [invitation] = _invitations(api_a)
    assert invitation["status"] == "planned"
    assert mail.outbox == []


def test_the_answer_belongs_to_no_session_and_its_fhir_has_no_encounter(
    api_a, client_a, weekly, client
):
    _beat()

    client.post(f"/s/{token_from_email(mail.outbox[0])}/", ALL_TENS)

    [response] = api_a.get("/api/v1/responses/").json()["results"]
    assert response["session"] is None
    [point] = api_a.get(f"/api/v1/clients/{client_a.pk}/alliance/").json()["points"]
    assert point["session"] is None
    fhir = api_a.get(f"/api/v1/responses/{response['id']}/fhir/").json()
    assert "encounter" not in fhir
    assert QuestionnaireResponse.model_validate(fhir).subject.reference == f"Patient/{client_a.pk}"


def test_a_practice_on_the_session_cadence_gets_nothing_from_the_weekly_job(api_a, client_a):
    _beat()

    assert _invitations(api_a) == []
