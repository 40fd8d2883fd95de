"""With Redis down, the API keeps answering and its rate limit is counted in the process."""

import logging

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(API_RATE_LIMIT="3/min")
def test_the_api_answers_and_still_limits_while_redis_is_down(cache_redis_stopped, api_a):
    statuses = [api_a.get("/api/v1/clients/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


@override_settings(API_RATE_LIMIT="3/min")
def test_it_logs_a_warning_that_counting_fell_back_to_the_process(
    cache_redis_stopped, api_a, caplog
):
    with caplog.at_level(logging.WARNING, logger="practice.rate_limits"):
        api_a.get("/api/v1/clients/")

    assert "Redis does not answer" in caplog.text
