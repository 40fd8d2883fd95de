"""A query parameter the API does not take answers 400, instead of being silently ignored."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_misspelt_filter_is_refused_rather_than_answering_the_whole_list(api_a, client_a):
    response = api_a.get("/api/v1/clients/", {"clinican": str(client_a.clinician_id)})

    assert response.status_code == 400
    assert response.json()["errors"] == {"clinican": ["This query parameter is not known here."]}


def test_a_record_takes_no_query_parameters(api_a, client_a):
    response = api_a.get(f"/api/v1/clients/{client_a.pk}/", {"status": "active"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status"}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/clients/", {"status": "active", "page_size": "5", "ordering": "created_at"}),
        ("/api/v1/sessions/", {"starts_after": "2026-01-01T00:00:00Z", "external_id": "S-1"}),
        ("/api/v1/alliance-summary/", {"clinician": "00000000-0000-0000-0000-000000000000"}),
        ("/api/v1/deletions/", {"since": "2026-01-01T00:00:00Z", "page_size": "5"}),
        ("/api/v1/alerts/", {"updated_since": "2026-01-01T00:00:00Z"}),
    ],
)
def test_the_documented_parameters_are_taken(api_a, client_a, path, params):
    response = api_a.get(path, params)

    assert response.status_code == 200, response.json()


def test_the_refusal_is_a_problem_document(api_a):
    response = api_a.get("/api/v1/clinicians/", {"colour": "blue"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
