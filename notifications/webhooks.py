"""Standard Webhooks: signing and sending one event to one endpoint.

https://www.standardwebhooks.com: `webhook-id`, `webhook-timestamp` and `webhook-signature`
headers; the signature is `v1,` + base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")) with
the secret given as `whsec_` + base64 of its bytes.
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
from concurrent.futures import ThreadPoolExecutor
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


# What a practice reads about a refused receiver: nothing of this service's own network.
REFUSED_PRIVATE = "refused: private address"


def _resolve_once(host: str, port: int) -> str:
    """The one address this delivery connects to, resolved with a deadline.

    The address that is checked is the address that is connected to: resolving twice (once to
    check, once to connect) would let a name that changes between the two (DNS rebinding)
    reach a private address. A name that does not resolve in time is a temporary failure.
    """
    resolving = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = resolving.result(timeout=settings.WEBHOOK_RESOLVE_TIMEOUT)
    except TimeoutError as error:
        raise OSError("resolving the host name timed out") from error
    except socket.gaierror as error:
        raise OSError("the host name does not resolve") from error
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS and not all(
        ipaddress.ip_address(address).is_global for address in addresses
    ):
        raise WebhookTargetRefused(REFUSED_PRIVATE)
    return addresses[0]


# A few threads only resolve names, so that a resolver that hangs costs a delivery its deadline
# and never its worker.
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-resolve")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address resolved beforehand, naming the host in `Host`."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate is checked against the host's name (SNI too)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post_event(
    *, url: str, secrets_: list[str], message_id: str, timestamp: int, payload: dict
) -> WebhookResult:
    """POST one signed event; every secret given signs it (a rotation's overlap).

    A redirect is a failure, never followed: a receiver answers for itself. Raises
    `WebhookTargetRefused` for a receiver in a private network.
    """
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Alliance-Webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in secrets_),
    }
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        address = _resolve_once(parts.hostname or "", port)
        connection_class = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
        connection = connection_class(
            parts.hostname, port, address=address, timeout=settings.WEBHOOK_TIMEOUT
        )
        try:
            connection.request("POST", target, body=body, headers=headers)
            status = connection.getresponse().status
        finally:
            connection.close()
    except TimeoutError:
        return WebhookResult(None, "The receiver did not answer in time.")
    except ssl.SSLError:
        return WebhookResult(None, "The receiver's TLS certificate could not be verified.")
    except (OSError, http.client.HTTPException) as error:
        return WebhookResult(None, f"Could not reach the receiver ({_plain(error)}).")
    if 200 <= status < 300:
        return WebhookResult(status, "")
    return WebhookResult(status, f"HTTP {status}")


def _plain(error: Exception) -> str:
    """What went wrong, without addresses: the error's kind, or our own words."""
    if isinstance(error, OSError) and not error.errno and error.args:
        return str(error.args[0])
    return type(error).__name__
