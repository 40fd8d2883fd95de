import io

import pytest
from django.core.management import call_command
from django.db import connection

from alliance.models import Alert, SurveyInvitation, SurveyResponse
from notifications.models import OutboxMessage
from practice.models import Client, Practice, Session
from practice.services import api_key_create
from practice.tenancy import practice_scope
from tests.conftest import api_client_for

SMALL_NETWORK = {
    "practices": 3,
    "clients_per_practice": 10,
    "large_practices": 1,
    "large_practice_clients": 40,
    "seed": 7,
}


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **(SMALL_NETWORK | options))
    return out.getvalue()


def _seeded_practices():
    return Practice.objects.filter(slug__startswith="demo-s7-")


def test_it_seeds_practices_whose_rows_keep_the_services_rules(db):
    _seed()

    assert _seeded_practices().count() == 4
    sessions = Session.across_practices_unsafe.filter(practice__in=_seeded_practices())
    clients = Client.across_practices_unsafe.filter(practice__in=_seeded_practices())
    assert clients.count() == 3 * 10 + 40
    for client in clients:
        sequences = sorted(sessions.filter(client=client).values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))
    responses = SurveyResponse.across_practices_unsafe.all()
    assert responses.exists()
    assert not responses.exclude(invitation__status=SurveyInvitation.Status.COMPLETED).exists()
    assert not responses.exclude(session__status=Session.Status.COMPLETED).exists()
    assert OutboxMessage.across_practices_unsafe.filter(kind="survey_invitation").count() == (
        SurveyInvitation.across_practices_unsafe.count()
    )
    assert Alert.across_practices_unsafe.exists()
    with connection.cursor() as cursor:
        # The composite (practice, id) foreign keys are deferred: check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_it_adds_nothing_when_run_again_with_the_same_seed(db):
    _seed()
    sessions = Session.across_practices_unsafe.count()

    summary = _seed()

    assert "0 practices written, 4 already there" in summary
    assert Session.across_practices_unsafe.count() == sessions


def test_it_multiplies_the_number_and_size_of_practices_by_the_scale(db):
    _seed(scale=0.5)

    assert _seeded_practices().count() == 1 + 2
    large = _seeded_practices().get(slug__contains="large")
    assert Client.across_practices_unsafe.filter(practice=large).count() == 20


def test_the_api_serves_a_seeded_practice(db):
    _seed()
    large = _seeded_practices().get(slug__contains="large")
    with practice_scope(large):
        _, raw_key = api_key_create(name="test")

    answer = api_client_for(raw_key).get("/api/v1/sessions/", {"page_size": 200})

    assert answer.status_code == 200
    assert len(answer.json()["results"]) == 200
    assert answer.json()["next"] is not None


@pytest.mark.parametrize("scale", ["0", "-1"])
def test_it_refuses_a_scale_that_is_not_positive(db, scale):
    with pytest.raises(Exception, match="--scale must be positive"):
        call_command("seed_demo", "--scale", scale)
