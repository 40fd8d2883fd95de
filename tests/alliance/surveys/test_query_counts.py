"""The hot paths of a survey run a fixed number of queries, whatever the client's history: an
N+1 creeping in fails here. The counts are exact, so that a change that adds a query says so."""

import pytest

from alliance.models import SurveyInvitation
from practice import services
from practice.tenancy import practice_scope
from tests.factories import make_response, make_sent_invitation, make_session

pytestmark = pytest.mark.django_db

ALL_TENS = {"comfort": "10", "respect": "10", "heard": "10", "goals": "10", "progress": "10"}

# Opening: the link with what its page shows, the policy's language, marking it opened.
GET_PAGE = 4
# Answering: as opening, then closing the invitation once, the response and its webhook rows.
POST_PAGE = 8
# Completing: the compare-and-swap, a look for a survey made in the room already, planning
# the survey by the practice's policy, and looking for the client's prompts, which the session
# closes.
COMPLETE_SESSION = 12


@pytest.fixture
def client_with_history(practice_a, client_a):
    for _ in range(3):
        make_response(practice_a.practice, client_a)
    return client_a


@pytest.fixture
def survey_path(practice_a, client_with_history):
    _, token = make_sent_invitation(practice_a.practice, client_with_history)
    return f"/s/{token}/"


def test_opening_the_survey_page_runs_a_fixed_number_of_queries(
    client, survey_path, django_assert_num_queries
):
    with django_assert_num_queries(GET_PAGE):
        assert client.get(survey_path).status_code == 200


def test_answering_the_survey_page_runs_a_fixed_number_of_queries(
    client, survey_path, django_assert_num_queries
):
    client.get(survey_path)
    with django_assert_num_queries(POST_PAGE):
        assert client.post(survey_path, ALL_TENS).status_code == 200


def test_completing_a_session_runs_a_fixed_number_of_queries(
    practice_a, client_with_history, django_assert_num_queries
):
    session = make_session(practice_a.practice, client=client_with_history)
    with practice_scope(practice_a.practice):
        with django_assert_num_queries(COMPLETE_SESSION):
            services.session_complete(session=session)
        assert SurveyInvitation.objects.filter(session=session).exists()
