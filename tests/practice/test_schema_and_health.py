import socket

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_describes_the_api(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/clients/", "/api/v1/sessions/{id}/complete/", "/api/v1/clinicians/{id}/"):
        assert path in schema["paths"]


def test_the_docs_page_renders(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert b"api/v1/schema/" in response.content


def test_healthz_answers_while_the_process_lives(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_the_database_and_the_broker(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_readyz_is_503_when_the_broker_does_not_answer(client):
    silent_broker = f"redis://127.0.0.1:{_unused_port()}/0"

    with override_settings(CELERY_BROKER_URL=silent_broker):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "failing"
