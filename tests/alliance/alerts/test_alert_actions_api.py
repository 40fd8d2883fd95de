"""Over REST, an action on an alert is recorded as done by the request's API key: never by a
name sent in the body, and so in the `alert.updated` webhook."""

import pytest

from notifications.models import OutboxMessage
from notifications.services import webhook_endpoint_create
from practice.models import APIKey
from practice.tenancy import practice_scope
from tests.alliance.alerts.pages import make_alert

pytestmark = pytest.mark.django_db


def test_acknowledging_over_rest_names_the_key_in_the_webhook(api_a, practice_a, client_a):
    alert = make_alert(practice_a.practice, client_a)
    with practice_scope(practice_a.practice):
        webhook_endpoint_create(url="https://a.example/hook", events=["alert.updated"])
        key = APIKey.objects.get()

    response = api_a.post(
        f"/api/v1/alerts/{alert.pk}/acknowledge/",
        {"note": "Seen.", "by": "Dr. Somebody Else"},
        format="json",
    )

    assert response.status_code == 200
    (action,) = response.json()["actions"]
    assert action["by"] == {"type": "api_key", "id": str(key.pk), "name": "Default key"}
    assert "Dr. Somebody Else" not in response.content.decode()
    (webhook,) = OutboxMessage.across_practices_unsafe.filter(kind=OutboxMessage.Kind.WEBHOOK)
    data = webhook.context["payload"]["data"]
    assert data["by"] == {"type": "api_key", "id": str(key.pk), "name": "Default key"}
