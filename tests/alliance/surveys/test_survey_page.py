"""The client's survey page, as the client's phone sees it."""

import re

import pytest
import time_machine
from django.test import Client as BrowserClient

from alliance.models import SurveyInvitation, SurveyResponse
from tests.factories import make_client, make_sent_invitation, make_session, set_survey_policy

pytestmark = pytest.mark.django_db

ALL_TENS = {"comfort": "10", "respect": "10", "heard": "10", "goals": "10", "progress": "10"}


@pytest.fixture
def sent(practice_a, client_a):
    invitation, token = make_sent_invitation(practice_a.practice, client_a)
    return invitation, f"/s/{token}/"


def _status(invitation) -> str:
    invitation.refresh_from_db()
    return invitation.status


def test_the_page_asks_each_item_as_inputs_named_by_code(client, sent):
    page = client.get(sent[1]).content.decode()

    assert page.count('<form method="post"') == 1
    for code in ALL_TENS:
        values = re.findall(rf'type="radio" name="{code}" value="(\d+)"', page)
        assert values == [str(n) for n in range(11)]
    assert 'name="comment"' in page
    assert 'type="checkbox" name="discuss"' in page


def test_the_page_names_the_practice_and_the_clinicians_first_name_only(
    client, sent, practice_a, client_a
):
    page = client.get(sent[1]).content.decode()

    assert practice_a.practice.name in page
    assert "Alma" in page
    assert "Ortiz" not in page
    assert client_a.name not in page
    assert '<html lang="en">' in page


def test_the_page_is_never_cached_or_referred_and_allows_only_its_own_form(client, sent):
    response = client.get(sent[1])

    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "form-action 'self'" in policy
    assert "script-src" not in policy


def test_opening_the_link_marks_it_opened_without_using_it_up(client, sent):
    first = client.get(sent[1])
    second = client.get(sent[1])

    assert first.status_code == second.status_code == 200
    assert _status(sent[0]) == "opened"


def test_answering_saves_the_scores_and_thanks_the_client(client, sent):
    answers = ALL_TENS | {"progress": "6"}

    response = client.post(sent[1], answers | {"comment": "  Good.  ", "discuss": "yes"})

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert _status(sent[0]) == "completed"
    saved = SurveyResponse.across_practices_unsafe.get(invitation=sent[0])
    assert saved.answers == {"comfort": 10, "respect": 10, "heard": 10, "goals": 10, "progress": 6}
    assert (saved.total, saved.mean) == (46, 9.2)
    assert (saved.comment, saved.discuss_request) == ("Good.", True)


def test_answering_again_is_410_and_changes_nothing(client, sent):
    client.post(sent[1], ALL_TENS)

    again = client.post(sent[1], ALL_TENS | {"progress": "0"})
    reopened = client.get(sent[1])

    assert again.status_code == reopened.status_code == 410
    assert "already answered" in again.content.decode()
    assert SurveyResponse.across_practices_unsafe.get().answers["progress"] == 10


def test_an_expired_link_is_410_and_the_invitation_expires(client, sent):
    with time_machine.travel(sent[0].expires_at):
        response = client.get(sent[1])
        post = client.post(sent[1], ALL_TENS)

    assert response.status_code == post.status_code == 410
    assert "expired" in response.content.decode()
    assert _status(sent[0]) == "expired"
    assert not SurveyResponse.across_practices_unsafe.exists()


def test_an_altered_token_is_404(client, sent):
    token = sent[1].split("/")[2]
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.get(f"/s/{altered}/").status_code == 404
    assert client.post(f"/s/{altered}/", ALL_TENS).status_code == 404
    assert client.get("/s/not-a-token/").status_code == 404


def test_a_missing_answer_is_400_with_the_form_again_and_nothing_saved(client, sent):
    answers = ALL_TENS.copy()
    del answers["heard"]

    response = client.post(sent[1], answers)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please answer this question." in page
    assert 'name="comfort" value="10" required checked' in page
    assert not SurveyResponse.across_practices_unsafe.exists()
    assert _status(sent[0]) == "sent"


@pytest.mark.parametrize("bad_value", ["11", "-1", "7.5", "ten", "NaN"])
def test_an_invalid_answer_is_400_and_nothing_saved(client, sent, bad_value):
    response = client.post(sent[1], ALL_TENS | {"goals": bad_value})

    assert response.status_code == 400
    assert not SurveyResponse.across_practices_unsafe.exists()


def test_a_post_without_the_csrf_token_is_refused(sent):
    strict = BrowserClient(enforce_csrf_checks=True)

    response = strict.post(sent[1], ALL_TENS)

    assert response.status_code == 403
    assert not SurveyResponse.across_practices_unsafe.exists()


def test_a_post_with_the_csrf_token_from_the_page_is_accepted(sent):
    strict = BrowserClient(enforce_csrf_checks=True)
    page = strict.get(sent[1]).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = strict.post(sent[1], ALL_TENS | {"csrfmiddlewaretoken": token})

    assert response.status_code == 200


def test_a_spanish_speaking_client_sees_the_page_in_spanish(client, practice_a):
    _, token = make_sent_invitation(
        practice_a.practice, make_client(practice_a.practice, language="es")
    )

    page = client.get(f"/s/{token}/").content.decode()

    assert '<html lang="es">' in page
    assert "¿Cómo fue tu sesión con" in page
    assert "Me sentí cómodo/a y pude decir lo que necesitaba." in page
    assert "Me gustaría hablar de esto en la próxima sesión" in page


def test_an_item_with_decimal_steps_gets_a_number_input(client, practice_a, client_a):
    set_survey_policy(practice_a.practice, instrument_code="srs")
    _, token = make_sent_invitation(practice_a.practice, client_a)

    page = client.get(f"/s/{token}/").content.decode()

    assert re.search(
        r'<input type="number" id="relationship" name="relationship" min="0" max="10" step="0.1"',
        page,
    )
    assert '<label for="relationship">Relationship</label>' in page


def test_guessing_tokens_is_stopped_after_twenty_misses_without_locking_out_real_links(
    client, sent
):
    misses = [client.get("/s/" + "x" * 43 + "/").status_code for _ in range(21)]

    assert misses == [404] * 20 + [429]
    assert client.get(sent[1]).status_code == 200


def test_the_stop_link_withdraws_consent_and_cancels_planned_surveys(
    client, practice_a, client_a, sent, api_a
):
    later = make_session(practice_a.practice, client=client_a)
    set_survey_policy(practice_a.practice, send_delay_minutes=600)
    api_a.post(f"/api/v1/sessions/{later.pk}/complete/")

    confirm = client.get(sent[1] + "stop/")
    stopped = client.post(sent[1] + "stop/")

    assert confirm.status_code == stopped.status_code == 200
    client_a.refresh_from_db()
    assert client_a.survey_consent is False
    planned = SurveyInvitation.across_practices_unsafe.get(session=later)
    assert planned.status == "cancelled"
