"""The OpenAPI document's `webhooks` section describes every event's payload."""

import pytest
from drf_spectacular.validation import validate_schema

from notifications.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()


def test_every_event_an_endpoint_can_subscribe_to_is_described(schema):
    assert set(schema["webhooks"]) == set(WebhookEndpoint.Event.values)


def test_each_event_is_the_standard_envelope_around_its_data(schema):
    components = schema["components"]["schemas"]
    for event, operation in schema["webhooks"].items():
        body = operation["post"]["requestBody"]["content"]["application/json"]["schema"]
        envelope = components[body["$ref"].rsplit("/", 1)[-1]]
        assert set(envelope["properties"]) == {"type", "timestamp", "data"}, event
        assert envelope["properties"]["type"]["enum"] == [event]


def test_the_survey_ready_event_carries_the_link_and_ids_only(schema):
    data = schema["components"]["schemas"]["SurveyReadyData"]["properties"]

    assert {"invitation", "client", "session", "url", "expires_at"} <= set(data)
    assert not {"name", "email"} & set(data)


def test_the_document_is_valid_openapi(schema):
    validate_schema(schema)
