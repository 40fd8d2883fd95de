"""Admin's client and clinician pages apply the same rules as the API: a returning client
starts a new episode, a clinician's email is the practice's one only."""

import pytest

from practice.models import Client, Clinician
from practice.tenancy import practice_scope
from tests.factories import make_clinician

pytestmark = pytest.mark.django_db


def _client_form(client: Client, **changes) -> dict:
    return {
        "name": client.name,
        "email": client.email,
        "clinician": str(client.clinician_id),
        "survey_consent": "on",
        "timezone": client.timezone,
        "language": client.language,
        "status": client.status,
    } | changes


def test_a_client_back_from_discharge_starts_a_new_episode(platform_admin, practice_a, client_a):
    url = f"/admin/practice/client/{client_a.pk}/change/"
    platform_admin.post(url, _client_form(client_a, status="discharged"))
    client_a.refresh_from_db()
    assert client_a.episode_started_at is None

    response = platform_admin.post(url, _client_form(client_a, status="active"))

    assert response.status_code == 302
    client_a.refresh_from_db()
    assert client_a.status == "active"
    assert client_a.episode_started_at is not None


def test_a_client_cannot_be_given_an_inactive_clinician(platform_admin, practice_a, client_a):
    retired = make_clinician(practice_a.practice, active=False)

    response = platform_admin.post(
        f"/admin/practice/client/{client_a.pk}/change/",
        _client_form(client_a, clinician=str(retired.pk)),
    )

    assert response.status_code == 200
    assert "This clinician is not active." in response.content.decode()
    client_a.refresh_from_db()
    assert client_a.clinician_id != retired.pk


def test_a_clinicians_email_taken_in_another_case_is_refused(
    platform_admin, practice_a, clinician_a
):
    other = make_clinician(practice_a.practice)

    response = platform_admin.post(
        f"/admin/practice/clinician/{other.pk}/change/",
        {"name": other.name, "email": clinician_a.email.upper(), "active": "on"},
    )

    assert response.status_code == 200
    assert "A clinician with this email already exists." in response.content.decode()
    other.refresh_from_db()
    assert other.email != clinician_a.email.upper()


def test_a_clinician_added_in_admin_is_made_by_the_same_service(platform_admin, practice_a):
    response = platform_admin.post(
        "/admin/practice/clinician/add/",
        {
            "practice": str(practice_a.practice.pk),
            "name": "Dr. New",
            "email": "new@example.org",
            "active": "on",
        },
    )

    assert response.status_code == 302
    with practice_scope(practice_a.practice):
        assert Clinician.objects.get(email="new@example.org").name == "Dr. New"
