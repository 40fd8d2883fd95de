"""A practice's pooled within-client spread: from its own answers, per scale, reused."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from alliance.alerts import selectors
from practice.tenancy import practice_scope
from tests.factories import make_client, make_response

pytestmark = pytest.mark.django_db

ITEMS = ("comfort", "respect", "heard", "goals", "progress")


def _answers(practice, client, *totals):
    """Answers whose items add up to each total (the first item takes the difference)."""
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    for week, total in enumerate(totals):
        answers = dict.fromkeys(ITEMS, 10) | {"comfort": 10 - (50 - total)}
        with time_machine.travel(start + timedelta(days=7 * week), tick=False):
            make_response(practice, client, answers=answers)


def test_ten_varying_clients_give_the_practice_its_own_spread(practice_a):
    for _ in range(10):
        _answers(practice_a.practice, make_client(practice_a.practice), 48, 46, 44)
    cache.clear()  # what the evaluations of those answers kept, with fewer clients

    with practice_scope(practice_a.practice):
        (spread,) = selectors.pooled_spreads().values()

    assert spread == pytest.approx(2.0)


def test_fewer_clients_leave_the_scale_to_its_default(practice_a, client_a):
    _answers(practice_a.practice, client_a, 48, 46, 44)

    with practice_scope(practice_a.practice):
        assert selectors.pooled_spreads() == {}


def test_the_spread_is_reused_until_it_expires(practice_a, django_assert_num_queries):
    with practice_scope(practice_a.practice):
        selectors.pooled_spreads()
        with django_assert_num_queries(0):
            selectors.pooled_spreads()


def test_another_practices_answers_do_not_count(practice_a, practice_b):
    for _ in range(10):
        _answers(practice_a.practice, make_client(practice_a.practice), 48, 46, 44)
    cache.clear()

    with practice_scope(practice_b.practice):
        assert selectors.pooled_spreads() == {}
