"""A rate limit's count in Redis grows by one per event and expires with its window."""

from django.core.cache import cache

from practice.rate_limits import Rate, rate_limit_hit

HOURLY = Rate(limit=3, window_seconds=3600)


def _ttl_of_the_only_count() -> int:
    client = cache._cache.get_client(write=True)
    [key] = client.keys(cache.make_key("rate:expiring-count:*"))
    return client.ttl(key)


def test_each_event_adds_one_and_the_limit_holds():
    verdicts = [rate_limit_hit("expiring-count", HOURLY) for _ in range(4)]

    assert [(v.count, v.allowed) for v in verdicts] == [
        (1, True),
        (2, True),
        (3, True),
        (4, False),
    ]


def test_the_count_expires_when_its_window_has_passed():
    rate_limit_hit("expiring-count", HOURLY)
    rate_limit_hit("expiring-count", HOURLY)

    assert 0 < _ttl_of_the_only_count() <= HOURLY.window_seconds + 1
