"""`min_days_between` holds when a client's sessions are completed at the same moment."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from alliance.models import SurveyInvitation
from practice import services
from practice.models import Session
from practice.tenancy import practice_scope
from tests.factories import make_session, set_survey_policy

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PARALLEL = 4


def test_sessions_completed_at_once_plan_one_survey_within_the_minimum_days(practice_a, client_a):
    set_survey_policy(practice_a.practice, min_days_between=7)
    sessions = [make_session(practice_a.practice, client=client_a) for _ in range(PARALLEL)]
    all_ready = threading.Barrier(PARALLEL)

    def complete(session_id) -> bool:
        try:
            with practice_scope(practice_a.practice):
                session = Session.objects.get(pk=session_id)
                all_ready.wait(timeout=30)
                return services.session_complete(session=session)[1]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        completed = list(pool.map(complete, [session.pk for session in sessions]))

    assert completed == [True] * PARALLEL
    with practice_scope(practice_a.practice):
        assert SurveyInvitation.objects.filter(client=client_a).count() == 1
