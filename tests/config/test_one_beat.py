import threading

import pytest

from config.beat_lock import try_beat_lock, wait_for_beat_lock
from tests.support import wait_for

pytestmark = pytest.mark.django_db


def test_a_second_beat_cannot_take_the_lock_while_the_first_holds_it():
    first = try_beat_lock()
    try:
        assert first is not None
        assert try_beat_lock() is None
    finally:
        first.close()


def test_a_standby_beat_takes_over_once_the_first_one_has_stopped(settings, caplog):
    settings.BEAT_LOCK_RETRY_SECONDS = 0.05
    first = try_beat_lock()
    taken = []
    standby = threading.Thread(target=lambda: taken.append(wait_for_beat_lock()))
    standby.start()
    wait_for(lambda: "waits as a standby" in caplog.text, timeout=10, what="the standby")
    assert taken == []

    first.close()  # as when the first beat's process ends, killed or not
    standby.join(timeout=10)

    assert len(taken) == 1
    taken[0].close()
