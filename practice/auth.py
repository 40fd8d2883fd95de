"""API-key authentication and per-key throttling for the REST API."""

import copy

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from practice import rate_limits
from practice.api_keys import hash_api_key_secret, recent_api_key, remember_api_key
from practice.models import APIKey
from practice.selectors import api_key_for_raw_key
from practice.services import api_key_record_use


class APIKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <api key>`; the key decides the practice of the request.

    A request carries no user: `request.auth` is the practice's `APIKey`. A key found is
    remembered by the process for `API_KEY_CACHE_SECONDS`, and its use is written at most once
    a minute, so that most requests spend no query on authentication.
    """

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("The Authorization header must be `Bearer <api key>`.")
        try:
            raw_key = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise AuthenticationFailed("Invalid or revoked API key.") from error
        hashed_secret = hash_api_key_secret(raw_key)
        api_key = recent_api_key(hashed_secret)
        if api_key is None:
            api_key = api_key_for_raw_key(raw_key)
            if api_key is None:
                raise AuthenticationFailed("Invalid or revoked API key.")
            remember_api_key(hashed_secret, api_key)
        api_key_record_use(api_key=api_key)
        return (None, _for_one_request(api_key))

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


def _for_one_request(api_key: APIKey) -> APIKey:
    """A copy of a remembered key and its practice, so that nothing a request does to them
    reaches the next request."""
    copied = copy.copy(api_key)
    copied.practice = copy.copy(api_key.practice)
    return copied


class HasPracticeAPIKey(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, APIKey)


class APIKeyRateThrottle(BaseThrottle):
    """At most `API_RATE_LIMIT` requests per API key (`none`: no limit).

    Requests without a valid key are counted by their address under the same rate, so that
    guessing keys is throttled too (the base view asks for that check when authentication
    fails). Counting is `practice.rate_limits`: atomic, shared across processes.
    """

    def allow_request(self, request, view) -> bool:
        rate = rate_limits.api_rate()
        if rate is None:
            return True
        if isinstance(request.auth, APIKey):
            counter = f"api-key:{request.auth.pk}"
        else:
            counter = f"api-address:{request.META.get('REMOTE_ADDR', 'unknown')}"
        self.verdict = rate_limits.rate_limit_hit(counter, rate)
        return self.verdict.allowed

    def wait(self) -> int:
        return self.verdict.retry_after_seconds


class APIKeySchemeForOpenAPI(OpenApiAuthenticationExtension):
    """Describes `APIKeyAuthentication` in the OpenAPI schema."""

    target_class = APIKeyAuthentication
    name = "practiceApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The practice's API key, as printed by create_practice.",
        }
