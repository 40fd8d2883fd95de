"""Exactly one beat runs: the one holding a PostgreSQL advisory lock.

Beat's jobs are safe to run twice (each step they queue is a compare-and-swap), but two beats
would double every scan and every queued task. So a beat process takes a session-level
advisory lock, on a connection of its own, before its first tick and holds it while it lives.
A second beat started meanwhile waits as a standby, and takes over within
`BEAT_LOCK_RETRY_SECONDS` of the first one's end: PostgreSQL releases a session's locks when
its connection closes, a killed process's included.
"""

import logging
import time

import psycopg
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

# Every beat of this service agrees on this number; advisory locks are per database.
BEAT_LOCK_ID = 0x616C6C69  # "alli"


def try_beat_lock() -> psycopg.Connection | None:
    """A connection holding the beat lock, or None while another beat holds it."""
    holder = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    (acquired,) = holder.execute("SELECT pg_try_advisory_lock(%s)", [BEAT_LOCK_ID]).fetchone()
    if acquired:
        return holder
    holder.close()
    return None


def wait_for_beat_lock() -> psycopg.Connection:
    """Block until this process holds the beat lock; returns the connection that holds it."""
    waiting_logged = False
    while True:
        holder = try_beat_lock()
        if holder is not None:
            if waiting_logged:
                logger.warning("The other beat has stopped: this one takes over.")
            return holder
        if not waiting_logged:
            logger.warning("Another beat is running: this one waits as a standby.")
            waiting_logged = True
        time.sleep(settings.BEAT_LOCK_RETRY_SECONDS)
