"""API key secrets: made here, shown once, stored only as a hash; keys found recently."""

import hashlib
import secrets
import time

from django.conf import settings

API_KEY_TAG = "alk"


def new_api_key() -> tuple[str, str]:
    """A fresh key: its visible prefix, and the whole raw key to show once."""
    prefix = f"{API_KEY_TAG}_{secrets.token_hex(4)}"
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_api_key_secret(raw_key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


# Keys found recently, by the hash of their secret: (when found, the key with its practice).
# Each process keeps its own, for `API_KEY_CACHE_SECONDS`, so that a request costs no query to
# find its practice; a key revoked in another process stops working when its entry expires.
_recent_keys: dict[str, tuple[float, object]] = {}
MAX_RECENT_KEYS = 10_000


def recent_api_key(hashed_secret: str):
    """The key found for this hash within the last `API_KEY_CACHE_SECONDS`, else None."""
    entry = _recent_keys.get(hashed_secret)
    if entry is None:
        return None
    found_at, api_key = entry
    # A clock set back counts as expired, so an entry never outlives its lifetime.
    if not 0 <= time.time() - found_at < settings.API_KEY_CACHE_SECONDS:
        _recent_keys.pop(hashed_secret, None)
        return None
    return api_key


def remember_api_key(hashed_secret: str, api_key) -> None:
    if settings.API_KEY_CACHE_SECONDS <= 0:
        return
    if len(_recent_keys) >= MAX_RECENT_KEYS:
        _recent_keys.clear()
    _recent_keys[hashed_secret] = (time.time(), api_key)


def forget_recent_api_keys() -> None:
    """Look every key up again: a key was revoked in this process."""
    _recent_keys.clear()
