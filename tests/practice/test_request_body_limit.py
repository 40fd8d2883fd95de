"""Bodies over the documented limit answer 413; bulk imports have a larger limit of their own."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(MAX_REQUEST_BODY_BYTES=1000)
def test_a_body_over_the_limit_answers_413_as_a_problem(api_a):
    body = '{"name": "' + "a" * 1000 + '", "email": "a@example.org"}'

    response = api_a.post("/api/v1/clinicians/", body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert "1000 bytes" in response.json()["detail"]


@override_settings(MAX_REQUEST_BODY_BYTES=1000)
def test_a_body_within_the_limit_is_served(api_a):
    body = '{"name": "Ana", "email": "ana@example.org"}'

    response = api_a.post("/api/v1/clinicians/", body, content_type="application/json")

    assert response.status_code == 201


@override_settings(MAX_REQUEST_BODY_BYTES=1000, MAX_IMPORT_BODY_BYTES=5000)
def test_imports_may_send_more_up_to_their_own_limit(api_a):
    within = api_a.post("/api/v1/imports/", "x" * 2000, content_type="application/json")
    beyond = api_a.post("/api/v1/imports/", "x" * 6000, content_type="application/json")

    assert within.status_code != 413
    assert beyond.status_code == 413


@override_settings(MAX_REQUEST_BODY_BYTES=1000)
def test_a_large_form_post_outside_the_api_answers_413(client):
    response = client.post("/s/some-token/", {"comment": "a" * 2000})

    assert response.status_code == 413
