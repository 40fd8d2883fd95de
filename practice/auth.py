"""API-key authentication and per-key throttling for the REST API."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from practice.models import APIKey
from practice.selectors import api_key_for_raw_key
from practice.services import api_key_record_use


class APIKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <api key>`; the key decides the practice of the request.

    A request carries no user: `request.auth` is the practice's `APIKey`.
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
        api_key = api_key_for_raw_key(raw_key)
        if api_key is None:
            raise AuthenticationFailed("Invalid or revoked API key.")
        api_key_record_use(api_key=api_key)
        return (None, api_key)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class HasPracticeAPIKey(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, APIKey)


class APIKeyRateThrottle(SimpleRateThrottle):
    """At most `API_RATE_LIMIT` requests per API key (`none`: no limit)."""

    scope = "api_key"

    def get_rate(self) -> str | None:
        rate = settings.API_RATE_LIMIT
        return None if rate.strip().lower() == "none" else rate

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, APIKey):
            return None
        return f"throttle:api-key:{request.auth.pk}"


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
