"""Rate limits: how many times something may happen per window, counted across processes.

One function to call, `rate_limit_hit(counter, rate)`: it counts one event for `counter` (a
string naming who does what, e.g. `api-key:<id>` or `survey-miss:<address>`) and says whether
it is still within `rate`. The API throttle, the survey page's unknown-link counter and the
sign-in limits all count here.

Counts live in the cache (Redis), so every web process shares them, and each count is one
atomic increment, so parallel requests never undercount. When Redis does not answer, counting
goes on in this process's memory with a logged warning: each process then holds the limit on
its own, which is looser, but never no limit at all. Windows are fixed (`window_seconds` long,
aligned to the clock), so a burst across a window's edge may reach twice the count.
"""

import logging
import re
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    window_seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate | None":
        """`600/min`, `20/s`, `100/10m`, `5/hour`; `none` is no limit (None)."""
        if text.strip().lower() == "none":
            return None
        match = _RATE_PATTERN.match(text.lower())
        if match is None or match.group(3)[0] not in _UNIT_SECONDS:
            raise ValueError(f"{text!r} is not a rate such as '600/min', '20/s' or 'none'.")
        count, multiple, unit = match.groups()
        return cls(limit=int(count), window_seconds=int(multiple or 1) * _UNIT_SECONDS[unit[0]])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after_seconds: int


def rate_limit_hit(counter: str, rate: Rate) -> Verdict:
    """Count one event for `counter` and say whether it is within `rate`."""
    now = time.time()
    window = int(now // rate.window_seconds)
    key = f"rate:{counter}:{rate.window_seconds}:{window}"
    count = _count_in_cache(key, rate.window_seconds)
    if count is None:
        count = _process_counts.hit(key, window_end=(window + 1) * rate.window_seconds, now=now)
    retry_after = max(1, int((window + 1) * rate.window_seconds - now + 0.999))
    return Verdict(allowed=count <= rate.limit, count=count, retry_after_seconds=retry_after)


def api_rate() -> Rate | None:
    """`API_RATE_LIMIT`, per API key (and per address for requests without a valid key)."""
    return Rate.parse(settings.API_RATE_LIMIT)


def _count_in_cache(key: str, window_seconds: int) -> int | None:
    """The count after this event, or None when the shared cache cannot count."""
    if not _shared_cache_is_redis():
        return None
    try:
        count = _counted_in_redis(cache.make_and_validate_key(key), window_seconds)
    except (RedisError, OSError) as error:
        _redis_health.failed(error)
        return None
    _redis_health.answered()
    return count


def _counted_in_redis(redis_key: str, window_seconds: int) -> int:
    """Start the window's count at 0 with its expiry if it is missing, and add one: in one
    transaction, so a count never outlives its window, and in one round trip (the cache's `add`
    and `incr` took three)."""
    with _redis_writer().pipeline(transaction=True) as pipeline:
        pipeline.set(redis_key, 0, ex=window_seconds + 1, nx=True)
        pipeline.incr(redis_key)
        _, count = pipeline.execute()
    return count


def _redis_writer():
    """The cache's Redis client for writes, made once per cache connection. Django's cache makes
    a new client (with its few hundred response callbacks) on every call, which cost a request
    more than the round trip; the connection pool under them is the same. A cache connection is
    made again when the cache settings change, and so is its client."""
    cache_client = cache._cache
    writer = getattr(cache_client, "rate_limit_writer", None)
    if writer is None:
        writer = cache_client.rate_limit_writer = cache_client.get_client(write=True)
    return writer


def _shared_cache_is_redis() -> bool:
    return isinstance(caches["default"], RedisCache)


class _ProcessCounts:
    """Counts in this process's memory, for when there is no shared cache to count in."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, *, window_end: float, now: float) -> int:
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            _, count = self._counts.get(key, (window_end, 0))
            self._counts[key] = (window_end, count + 1)
            return count + 1


class _RedisHealth:
    """Logs once when counting falls back to this process, and once when Redis is back."""

    def __init__(self):
        self._failing_at: set[str] = set()

    def _location(self) -> str:
        return str(settings.CACHES["default"].get("LOCATION", ""))

    def failed(self, error: Exception) -> None:
        location = self._location()
        if location not in self._failing_at:
            self._failing_at.add(location)
            logger.warning(
                "Redis does not answer (%s): rate limits are counted in each process until it "
                "does.",
                type(error).__name__,
            )

    def answered(self) -> None:
        location = self._location()
        if location in self._failing_at:
            self._failing_at.discard(location)
            logger.warning("Redis answers again: rate limits are shared across processes.")


_process_counts = _ProcessCounts()
_redis_health = _RedisHealth()
