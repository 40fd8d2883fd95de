"""A NUL character (`%00`) in the survey form is the page's own 400, never a server error."""

import pytest

from alliance.models import SurveyInvitation
from tests.factories import make_sent_invitation

pytestmark = pytest.mark.django_db

ALL_TENS = {"comfort": "10", "respect": "10", "heard": "10", "goals": "10", "progress": "10"}


@pytest.fixture
def link(practice_a, client_a):
    invitation, token = make_sent_invitation(practice_a.practice, client_a)
    return invitation, f"/s/{token}/"


def test_a_nul_in_the_comment_shows_the_form_again_with_an_error(client, link):
    invitation, url = link

    response = client.post(url, ALL_TENS | {"comment": "fine\x00"})

    assert response.status_code == 400
    assert 'id="comment-error"' in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == SurveyInvitation.Status.SENT


def test_a_nul_in_an_answer_shows_the_form_again(client, link):
    _, url = link

    response = client.post(url, ALL_TENS | {"comfort": "10\x00"})

    assert response.status_code == 400
