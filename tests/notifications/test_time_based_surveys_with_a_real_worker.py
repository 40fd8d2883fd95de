"""The time-based cadence end to end: beat plans, a real worker sends, SMTP receives."""

import pytest

from alliance.models import SurveyInvitation
from practice.tenancy import practice_scope
from tests.factories import SEND_AT_ONCE, make_client, make_practice, set_survey_policy
from tests.support import wait_for

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(180),
]


def test_beat_plans_a_survey_for_a_client_with_no_session_and_the_worker_emails_it(
    publish_to, smtp_server, start_worker
):
    practice = make_practice()
    set_survey_policy(practice.practice, **SEND_AT_ONCE)
    client = make_client(practice.practice)
    practice.practice.survey_cadence = "weeks"
    practice.practice.save()

    start_worker()
    wait_for(smtp_server.count, timeout=60, what="the survey email")

    (received,) = smtp_server.received
    assert received.to == client.email
    with practice_scope(practice.practice):
        invitation = SurveyInvitation.objects.get()
    assert (invitation.session, invitation.status) == (None, "sent")
