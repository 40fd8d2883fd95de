import pytest
from django.test import override_settings

from practice import services
from practice.tenancy import practice_scope
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


@override_settings(API_RATE_LIMIT="3/min")
def test_a_key_over_its_rate_gets_429_with_retry_after(api_a):
    statuses = [api_a.get("/api/v1/clients/").status_code for _ in range(4)]

    response = api_a.get("/api/v1/clients/")

    assert statuses == [200, 200, 200, 429]
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 0 < int(response["Retry-After"]) <= 60


@override_settings(API_RATE_LIMIT="2/min")
def test_each_key_has_its_own_allowance(practice_a, api_a):
    with practice_scope(practice_a.practice):
        _, second_key = services.api_key_create(name="Second")
    for _ in range(3):
        api_a.get("/api/v1/clients/")

    response = api_client_for(second_key).get("/api/v1/clients/")

    assert response.status_code == 200


@override_settings(API_RATE_LIMIT="none")
def test_none_turns_throttling_off(api_a):
    statuses = {api_a.get("/api/v1/clients/").status_code for _ in range(20)}

    assert statuses == {200}
