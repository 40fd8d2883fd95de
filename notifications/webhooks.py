"""Standard Webhooks: signing and sending one event to one endpoint.

https://www.standardwebhooks.com: `webhook-id`, `webhook-timestamp` and `webhook-signature`
headers; the signature is `v1,` + base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")) with
the secret given as `whsec_` + base64 of its bytes.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SECRET_PREFIX = "whsec_"  # noqa: S105 - a format prefix, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class WebhookResult:
    status: int | None  # None: no HTTP answer at all
    detail: str


class WebhookTargetRefused(Exception):
    """The URL points into a private network, which this service does not call."""


def _check_target(url: str) -> None:
    """Refuse receivers that are not on the public internet (cloud metadata, the service's
    own network). A name that does not resolve is a temporary failure, raised as OSError."""
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return
    host = urlsplit(url).hostname or ""
    for info in socket.getaddrinfo(host, None):
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise WebhookTargetRefused(f"{host} resolves to a private address ({address}).")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver answers for itself: a redirect is a failure, never followed elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post_event(
    *, url: str, secrets_: list[str], message_id: str, timestamp: int, payload: dict
) -> WebhookResult:
    """POST one signed event; every secret given signs it (a rotation's overlap)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Alliance-Webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in secrets_),
    }
    # The API accepts only http(s) URLs, so urlopen never sees another scheme.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        _check_target(url)
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            return WebhookResult(response.status, "")
    except urllib.error.HTTPError as error:
        return WebhookResult(error.code, f"HTTP {error.code}")
    except (urllib.error.URLError, OSError) as error:
        return WebhookResult(None, f"{type(error).__name__}: {error}")
