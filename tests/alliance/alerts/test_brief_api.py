"""`GET /api/v1/clinicians/{id}/brief/?date=`: the clinician's sessions of that day whose clients
have open alerts or prompts."""

from datetime import UTC, datetime

import pytest

from tests import factories
from tests.alliance.alerts.pages import make_alert

pytestmark = pytest.mark.django_db

DAY = "2026-12-07"


def test_it_lists_the_days_sessions_to_prepare_with_their_alerts(
    api_a, practice_a, client_a, clinician_a
):
    alert = make_alert(practice_a.practice, client_a)
    session = factories.make_session(
        practice_a.practice, client=client_a, starts_at=datetime(2026, 12, 7, 15, tzinfo=UTC)
    )

    response = api_a.get(f"/api/v1/clinicians/{clinician_a.pk}/brief/", {"date": DAY})

    assert response.status_code == 200
    body = response.json()
    assert (body["clinician"], body["date"], body["timezone"]) == (
        str(clinician_a.pk),
        DAY,
        "Europe/Madrid",
    )
    (row,) = body["sessions"]
    assert (row["session"], row["client"], row["starts_at"]) == (
        str(session.pk),
        str(client_a.pk),
        "2026-12-07T16:00:00+01:00",
    )
    assert [a["id"] for a in row["alerts"]] == [str(alert.pk)]


def test_a_day_with_nothing_to_discuss_is_empty(api_a, practice_a, client_a, clinician_a):
    factories.make_session(
        practice_a.practice, client=client_a, starts_at=datetime(2026, 12, 7, 15, tzinfo=UTC)
    )

    response = api_a.get(f"/api/v1/clinicians/{clinician_a.pk}/brief/", {"date": DAY})

    assert response.json()["sessions"] == []


def test_a_date_that_is_not_one_is_a_field_error(api_a, clinician_a):
    response = api_a.get(f"/api/v1/clinicians/{clinician_a.pk}/brief/", {"date": "monday"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"date"}
