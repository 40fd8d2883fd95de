"""A client's own opt-out stands against the practice's sync; only the client undoes it."""

import pytest

from tests.factories import make_sent_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def opted_out(practice_a, client_a, client):
    _, token = make_sent_invitation(practice_a.practice, client_a)
    client.post(f"/s/{token}/stop/")
    return token


def test_the_opt_out_is_recorded_on_the_client(api_a, client_a, opted_out):
    shown = api_a.get(f"/api/v1/clients/{client_a.pk}/").json()

    assert shown["survey_consent"] is False
    assert shown["opted_out_at"] is not None


def test_the_practices_system_cannot_give_consent_back(api_a, client_a, opted_out):
    response = api_a.patch(
        f"/api/v1/clients/{client_a.pk}/", {"survey_consent": True}, format="json"
    )

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "stopped surveys themselves" in response.json()["detail"]
    assert api_a.get(f"/api/v1/clients/{client_a.pk}/").json()["survey_consent"] is False


def test_an_upsert_by_external_id_cannot_either(api_a, client_a, opted_out):
    api_a.patch(f"/api/v1/clients/{client_a.pk}/", {"external_id": "EHR-7"}, format="json")

    response = api_a.put("/api/v1/clients/external/EHR-7/", {"survey_consent": True}, format="json")

    assert response.status_code == 409


def test_other_changes_to_the_client_still_go_through(api_a, client_a, opted_out):
    response = api_a.patch(
        f"/api/v1/clients/{client_a.pk}/",
        {"survey_consent": False, "language": "es"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["language"] == "es"


def test_the_stopped_page_links_to_a_confirmation_page(client, opted_out):
    stopped = client.post(f"/s/{opted_out}/stop/").content.decode()

    assert f"/s/{opted_out}/resume/" in stopped
    confirm = client.get(f"/s/{opted_out}/resume/")
    assert confirm.status_code == 200
    assert '<form method="post"' in confirm.content.decode()


def test_opening_the_resume_link_alone_changes_nothing(api_a, client_a, client, opted_out):
    client.get(f"/s/{opted_out}/resume/")

    assert api_a.get(f"/api/v1/clients/{client_a.pk}/").json()["survey_consent"] is False


def test_the_client_confirming_starts_surveys_again(api_a, client_a, client, opted_out):
    client.post(f"/s/{opted_out}/resume/")

    shown = api_a.get(f"/api/v1/clients/{client_a.pk}/").json()
    assert (shown["survey_consent"], shown["opted_out_at"]) == (True, None)
    later = api_a.patch(f"/api/v1/clients/{client_a.pk}/", {"survey_consent": True}, format="json")
    assert later.status_code == 200


def test_consent_withdrawn_by_the_practice_can_be_given_back_by_it(api_a, client_a):
    api_a.patch(f"/api/v1/clients/{client_a.pk}/", {"survey_consent": False}, format="json")

    response = api_a.patch(
        f"/api/v1/clients/{client_a.pk}/", {"survey_consent": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["opted_out_at"] is None
