"""API key secrets: made here, shown once, stored only as a hash."""

import hashlib
import secrets

API_KEY_TAG = "alk"


def new_api_key() -> tuple[str, str]:
    """A fresh key: its visible prefix, and the whole raw key to show once."""
    prefix = f"{API_KEY_TAG}_{secrets.token_hex(4)}"
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_api_key_secret(raw_key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()
