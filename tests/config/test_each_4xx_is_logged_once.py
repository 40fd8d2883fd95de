"""A 4xx answer is one line in the log, with DEBUG on (as `make run` has it) or off."""

import urllib.error
import urllib.request

import pytest

from tests.services import WebServer

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("debug", ["true", "false"])
def test_an_unknown_address_is_logged_once(tmp_path, debug):
    web = WebServer(
        log_dir=tmp_path,
        DEBUG=debug,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="",
        CACHE_URL="",
    ).start()
    try:
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{web.url}/nothing-here-at-all/", timeout=20)
    finally:
        web.stop()

    assert web.log().count("Not Found: /nothing-here-at-all/") == 1
