"""A PATCH that read a session before it was completed elsewhere must not undo the completion."""

import pytest

from alliance.models import SurveyInvitation
from practice import api as practice_api
from practice import services
from practice.models import Session
from practice.tenancy import practice_scope
from tests.support import run_in_another_connection

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def patch_racing_completion(monkeypatch, practice_a):
    """The session is completed on another connection between the PATCH's read and its write."""
    real_update = services.session_update

    def update_after_a_concurrent_completion(*, session, **changes):
        run_in_another_connection(
            practice_a.practice,
            lambda: services.session_complete(session=Session.objects.get(pk=session.pk)),
        )
        return real_update(session=session, **changes)

    monkeypatch.setattr(
        practice_api.services, "session_update", update_after_a_concurrent_completion
    )


def test_a_patch_racing_completion_keeps_the_session_completed(
    api_a, practice_a, session_a, patch_racing_completion
):
    response = api_a.patch(
        f"/api/v1/sessions/{session_a.pk}/", {"duration_minutes": 45}, format="json"
    )

    assert response.status_code == 200
    with practice_scope(practice_a.practice):
        session = Session.objects.get(pk=session_a.pk)
    assert session.status == Session.Status.COMPLETED
    assert session.completed_at is not None
    assert session.duration_minutes == 45


def test_completing_again_after_the_race_plans_nothing_more(
    api_a, practice_a, session_a, patch_racing_completion
):
    api_a.patch(f"/api/v1/sessions/{session_a.pk}/", {"duration_minutes": 45}, format="json")

    again = api_a.post(f"/api/v1/sessions/{session_a.pk}/complete/")

    assert again.status_code == 200
    with practice_scope(practice_a.practice):
        assert SurveyInvitation.objects.filter(session=session_a).count() == 1
