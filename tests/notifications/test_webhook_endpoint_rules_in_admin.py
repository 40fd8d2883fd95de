"""Admin changes a webhook endpoint by the same rules as the API: http or https only, known
events only."""

import json

import pytest

from notifications.models import WebhookEndpoint
from notifications.services import webhook_endpoint_create
from practice.tenancy import practice_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(practice_a):
    with practice_scope(practice_a.practice):
        created, _ = webhook_endpoint_create(
            url="https://receiver.example.org/hooks", events=["alert.created"]
        )
    return created


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"url": "ftp://receiver.example.org/hooks"}, "Use an http:// or https:// URL."),
        ({"events": json.dumps(["alert.deleted"])}, "Must be one of"),
        ({"events": json.dumps([])}, "This field is required."),
    ],
)
def test_admin_refuses_what_the_api_refuses(platform_admin, endpoint, fields, message):
    form = {"url": endpoint.url, "events": json.dumps(endpoint.events), "active": "on"}

    response = platform_admin.post(
        f"/admin/notifications/webhookendpoint/{endpoint.pk}/change/", form | fields
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    stored = WebhookEndpoint.across_practices_unsafe.get(pk=endpoint.pk)
    assert (stored.url, stored.events) == (endpoint.url, endpoint.events)


def test_admin_saves_an_endpoint_through_the_same_service(platform_admin, endpoint):
    response = platform_admin.post(
        f"/admin/notifications/webhookendpoint/{endpoint.pk}/change/",
        {
            "url": "https://other.example.org/hooks",
            "events": json.dumps(["survey.completed", "alert.created", "alert.created"]),
            "active": "on",
        },
    )

    assert response.status_code == 302
    stored = WebhookEndpoint.across_practices_unsafe.get(pk=endpoint.pk)
    assert stored.url == "https://other.example.org/hooks"
    assert stored.events == ["alert.created", "survey.completed"]
