"""`POST /api/v1/sessions/{id}/survey-link/`: a short-lived link to answer in the room."""

from datetime import datetime, timedelta

import pytest
import time_machine

from alliance.models import SurveyInvitation, SurveyLink
from practice.models import IdempotencyRecord
from tests.factories import make_client, make_sent_invitation, make_session, set_survey_policy

pytestmark = pytest.mark.django_db

ALL_TENS = {"comfort": "10", "respect": "10", "heard": "10", "goals": "10", "progress": "10"}


def _link(api, session, **body):
    return api.post(f"/api/v1/sessions/{session.pk}/survey-link/", body, format="json")


def _path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def test_it_answers_a_one_time_link_that_expires_in_30_minutes_and_its_qr_code(
    api_a, session_a, client
):
    response = _link(api_a, session_a)

    body = response.json()
    assert response.status_code == 201
    assert body["url"].startswith("http://127.0.0.1:8000/s/")
    expires_in = datetime.fromisoformat(body["expires_at"]) - datetime.now().astimezone()
    assert timedelta(minutes=29) < expires_in <= timedelta(minutes=30)
    assert body["qr_svg"].startswith("<svg") and "</svg>" in body["qr_svg"]
    assert client.get(_path(body["url"])).status_code == 200
    assert client.post(_path(body["url"]), ALL_TENS).status_code == 200
    assert client.post(_path(body["url"]), ALL_TENS).status_code == 410


def test_the_invitation_records_that_it_was_answered_in_the_session(api_a, session_a):
    invitation_id = _link(api_a, session_a).json()["invitation"]

    invitation = api_a.get(f"/api/v1/survey-invitations/{invitation_id}/").json()

    assert (invitation["session"], invitation["status"]) == (str(session_a.pk), "sent")
    assert invitation["channel"] == "in_session"


def test_a_fresh_link_revokes_the_earlier_one(api_a, session_a, client):
    first = _link(api_a, session_a).json()
    second = _link(api_a, session_a).json()

    assert first["invitation"] == second["invitation"]
    assert client.get(_path(first["url"])).status_code == 410
    assert client.get(_path(second["url"])).status_code == 200


def test_a_link_emailed_earlier_is_revoked_too(api_a, practice_a, client_a, client):
    invitation, token = make_sent_invitation(practice_a.practice, client_a)

    in_session = _link(api_a, invitation.session).json()

    assert in_session["invitation"] == str(invitation.pk)
    assert client.get(f"/s/{token}/").status_code == 410
    assert client.get(_path(in_session["url"])).status_code == 200


def test_the_link_expires_after_the_minutes_asked_for(api_a, session_a, client):
    url = _path(_link(api_a, session_a, expires_in_minutes=10).json()["url"])

    with time_machine.travel(datetime.now().astimezone() + timedelta(minutes=11)):
        assert client.get(url).status_code == 410


def test_consent_applies(api_a, practice_a, clinician_a):
    unconsented = make_client(practice_a.practice, clinician=clinician_a, survey_consent=False)
    session = make_session(practice_a.practice, client=unconsented)

    response = _link(api_a, session)

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert not SurveyInvitation.across_practices_unsafe.filter(session=session).exists()


def test_the_every_nth_and_minimum_days_rules_do_not_apply(api_a, practice_a, client_a):
    set_survey_policy(practice_a.practice, every_nth_session=5, min_days_between=30)
    first, second = (make_session(practice_a.practice, client=client_a) for _ in range(2))

    answers = [_link(api_a, session).status_code for session in (first, second)]

    assert answers == [201, 201]


def test_completing_the_session_afterwards_plans_no_second_survey(api_a, practice_a, session_a):
    _link(api_a, session_a)

    completed = api_a.post(f"/api/v1/sessions/{session_a.pk}/complete/")

    assert completed.status_code == 200
    assert SurveyInvitation.across_practices_unsafe.filter(session=session_a).count() == 1


def test_a_cancelled_session_gets_no_link(api_a, session_a):
    api_a.post(f"/api/v1/sessions/{session_a.pk}/cancel/")

    assert _link(api_a, session_a).status_code == 409


def test_an_answered_survey_gets_no_new_link(api_a, session_a, client):
    client.post(_path(_link(api_a, session_a).json()["url"]), ALL_TENS)

    assert _link(api_a, session_a).status_code == 409


def test_an_idempotent_repeat_never_shows_the_link_again(api_a, session_a):
    first = api_a.post(
        f"/api/v1/sessions/{session_a.pk}/survey-link/",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    repeat = api_a.post(
        f"/api/v1/sessions/{session_a.pk}/survey-link/",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )

    assert "url" in first.json()
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert "url" not in repeat.json() and "qr_svg" not in repeat.json()
    stored = IdempotencyRecord.across_practices_unsafe.get(key="k1").response_body
    assert "/s/" not in str(stored)


def test_only_the_hash_of_the_token_is_stored(api_a, session_a):
    url = _link(api_a, session_a).json()["url"]
    token = url.rstrip("/").rsplit("/", 1)[-1]

    stored = SurveyLink.across_practices_unsafe.get()

    assert stored.token_hash != token and token not in stored.token_hash


def test_it_refuses_a_lifetime_out_of_bounds(api_a, session_a):
    response = _link(api_a, session_a, expires_in_minutes=100_000)

    assert response.status_code == 400
    assert "expires_in_minutes" in response.json()["errors"]
