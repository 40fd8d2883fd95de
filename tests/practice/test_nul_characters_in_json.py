"""PostgreSQL text cannot hold the NUL character: JSON that carries one is refused with 400."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_a_field_answers_400(api_a):
    response = api_a.post(
        "/api/v1/clinicians/",
        '{"name": "Ana\\u0000", "email": "ana@example.org"}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_a_nul_character_in_a_key_answers_400(api_a):
    response = api_a.post(
        "/api/v1/clinicians/",
        '{"name": "Ana", "email": "ana@example.org", "\\u0000": 1}',
        content_type="application/json",
    )

    assert response.status_code == 400
