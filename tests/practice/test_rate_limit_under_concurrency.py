"""Parallel requests with one key are each counted: the limit holds exactly."""

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings

from tests.factories import make_practice

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIMIT = 30
PARALLEL = 20


def _status(url: str, key: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@override_settings(API_RATE_LIMIT=f"{LIMIT}/hour")
def test_parallel_requests_never_exceed_the_rate(live_server):
    practice = make_practice()
    url = f"{live_server.url}/api/v1/clients/"

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        statuses = list(pool.map(lambda _: _status(url, practice.api_key), range(LIMIT * 2)))

    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == LIMIT
