"""One mail connection per worker process (and thread), kept open from one message to the next.

Opening an SMTP conversation (connect, EHLO, STARTTLS, AUTH) costs more than sending a small
message over an open one, so a worker that delivers message after message keeps its
connection. A connection the server has dropped meanwhile (idle timeout) is opened again and
the message sent once more: the server had not accepted it, so nothing is sent twice.
"""

import smtplib
import threading

from django.conf import settings
from django.core.mail import get_connection

_local = threading.local()


def _settings_key() -> tuple:
    """What the connection was opened with: settings changed, a new connection."""
    return tuple(
        getattr(settings, name, None)
        for name in (
            "EMAIL_BACKEND",
            "EMAIL_HOST",
            "EMAIL_PORT",
            "EMAIL_HOST_USER",
            "EMAIL_HOST_PASSWORD",
            "EMAIL_USE_TLS",
            "EMAIL_USE_SSL",
            "EMAIL_TIMEOUT",
        )
    )


def _open_connection():
    key = _settings_key()
    if getattr(_local, "key", None) != key:
        close_connection()
        _local.connection, _local.key = get_connection(), key
    _local.connection.open()  # a no-op while it is open
    return _local.connection


def close_connection() -> None:
    connection = getattr(_local, "connection", None)
    if connection is not None:
        connection.close()
    _local.connection = _local.key = None


def send_over_kept_connection(email) -> None:
    """Send `email` over this worker's open connection; errors are raised as `send()` does."""
    try:
        _open_connection().send_messages([email])
    except smtplib.SMTPServerDisconnected:
        close_connection()
        _open_connection().send_messages([email])
    except Exception:
        # After any other failure the conversation's state is unknown: start the next afresh.
        close_connection()
        raise
