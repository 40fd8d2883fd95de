import pytest

from practice import services
from practice.models import APIKey
from practice.tenancy import practice_scope
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_a_request_without_a_key_is_401_with_a_bearer_challenge(anonymous_api):
    response = anonymous_api.get("/api/v1/clients/")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


def test_an_unknown_key_is_401(practice_a):
    response = api_client_for("alk_00000000_not-a-real-key").get("/api/v1/clients/")

    assert response.status_code == 401
    assert response.json()["title"] == "Authentication failed"


def test_a_malformed_authorization_header_is_401(practice_a, anonymous_api):
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Bearer {practice_a.api_key} extra")

    assert anonymous_api.get("/api/v1/clients/").status_code == 401


def test_a_revoked_key_is_401(practice_a, api_a):
    with practice_scope(practice_a.practice):
        services.api_key_revoke(api_key=APIKey.objects.get())

    assert api_a.get("/api/v1/clients/").status_code == 401


def test_a_valid_key_is_accepted_and_its_use_is_recorded(practice_a, api_a):
    response = api_a.get("/api/v1/clients/")

    assert response.status_code == 200
    with practice_scope(practice_a.practice):
        assert APIKey.objects.get().last_used_at is not None


def test_only_a_hash_of_the_key_is_stored(practice_a):
    with practice_scope(practice_a.practice):
        api_key = APIKey.objects.get()

    assert practice_a.api_key not in (api_key.hashed_secret, api_key.prefix)
    assert practice_a.api_key.startswith(api_key.prefix + "_")
