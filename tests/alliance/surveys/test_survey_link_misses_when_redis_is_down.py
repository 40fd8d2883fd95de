"""With Redis down, the survey page still answers and still stops a guesser."""

import pytest

from tests.factories import make_sent_invitation

pytestmark = pytest.mark.django_db


def test_guessing_is_still_stopped_and_real_links_work_while_redis_is_down(
    cache_redis_stopped, client, practice_a, client_a
):
    _, token = make_sent_invitation(practice_a.practice, client_a)

    misses = [client.get("/s/" + "y" * 43 + "/").status_code for _ in range(21)]

    assert misses == [404] * 20 + [429]
    assert client.get(f"/s/{token}/").status_code == 200
