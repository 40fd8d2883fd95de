"""The OpenAPI document describes the integration surface: ids, sync, imports and events."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _parameters(operation) -> set[str]:
    return {parameter["name"] for parameter in operation.get("parameters", [])}


@pytest.mark.parametrize("resource", ["clinicians", "clients", "sessions"])
def test_records_are_put_and_read_by_external_id(schema, resource):
    operations = schema["paths"][f"/api/v1/{resource}/external/{{external_id}}/"]

    assert set(operations) == {"get", "put"}
    successes = {status for status in operations["put"]["responses"] if status < "300"}
    assert successes == {"200", "201"}


@pytest.mark.parametrize("path", ["/api/v1/clients/", "/api/v1/alerts/", "/api/v1/imports/"])
def test_lists_describe_sync_and_ordering(schema, path):
    operation = schema["paths"][path]["get"]

    assert {"updated_since", "ordering"} <= _parameters(operation)
    ordering = next(p for p in operation["parameters"] if p["name"] == "ordering")
    assert "updated_at" in ordering["schema"]["enum"]


def test_deletions_and_imports_are_described(schema):
    assert _parameters(schema["paths"]["/api/v1/deletions/"]["get"]) >= {"since"}
    upload = schema["paths"]["/api/v1/imports/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


def test_the_import_completed_event_is_in_the_webhooks_section(schema):
    event = schema["webhooks"]["import.completed"]["post"]
    body = event["requestBody"]["content"]["application/json"]["schema"]

    assert body["$ref"].endswith("/ImportCompletedEvent")
