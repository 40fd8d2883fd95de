import pytest
import time_machine

from alliance.surveys import tasks
from tests.factories import make_client, make_response, make_sent_invitation

pytestmark = pytest.mark.django_db

GOOD = {"comfort": 10, "respect": 10, "heard": 10, "goals": 10, "progress": 10}
LOW = GOOD | {"progress": 2}


def test_the_summary_counts_response_rate_means_and_clients_below_threshold(
    api_a, practice_a, clinician_a
):
    practice = practice_a.practice
    steady, slipping = (make_client(practice, clinician=clinician_a) for _ in range(2))
    with time_machine.travel("2026-05-01T10:00:00Z", tick=False):
        make_response(practice, steady, answers=GOOD)
        make_response(practice, slipping, answers=GOOD)
        make_sent_invitation(practice, steady)
    with time_machine.travel("2026-05-08T10:00:00Z", tick=False):
        make_response(practice, slipping, answers=LOW)
        tasks.expire_overdue_invitations()

    summary = api_a.get("/api/v1/alliance-summary/").json()

    assert summary["invitations_delivered"] == 4
    assert summary["responses"] == 3
    assert summary["response_rate"] == 0.75
    (by_instrument,) = summary["by_instrument"]
    assert by_instrument == {
        "instrument": "alliance-check",
        "responses": 3,
        "mean_total": round((50 + 50 + 42) / 3, 2),
        "clients": 2,
        "mean_latest_total": 46.0,
        "clients_below_threshold": 1,
    }


def test_the_summary_narrows_to_one_clinician(api_a, practice_a, clinician_a):
    make_response(practice_a.practice, make_client(practice_a.practice), answers=LOW)

    summary = api_a.get("/api/v1/alliance-summary/", {"clinician": str(clinician_a.pk)}).json()

    assert summary["clinician"] == str(clinician_a.pk)
    assert (summary["invitations_delivered"], summary["by_instrument"]) == (0, [])
    assert summary["response_rate"] is None


def test_a_malformed_clinician_is_a_400(api_a):
    assert api_a.get("/api/v1/alliance-summary/", {"clinician": "x"}).status_code == 400
