"""The logs of a real run (gunicorn with its access log, Django's request logger) never hold
a survey or sign-in token: the paths are logged as `/s/[token]/`."""

import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.factories import make_sent_invitation
from tests.services import WebServer, current_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(120),
]

UNKNOWN_TOKEN = "Unknown0Token0That0Nobody0Was0Ever0Sent0xyz"
SIGN_IN_TOKEN = "SignIn0Token0Of0A0Member0That0Must0Stay0Secret"


def _request(url: str, data: dict | None = None) -> int:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=20) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def web(tmp_path):
    server = WebServer(log_dir=tmp_path, DATABASE_URL=current_database_url()).start()
    yield server
    server.stop()


def test_no_token_reaches_the_logs_of_a_real_run(web, practice_a, client_a):
    _, token = make_sent_invitation(practice_a.practice, client_a)

    statuses = [
        _request(f"{web.url}/s/{token}/"),
        _request(f"{web.url}/s/{token}/", {"comfort": "99"}),
        _request(f"{web.url}/s/{UNKNOWN_TOKEN}/"),
        _request(f"{web.url}/app/sign-in/{SIGN_IN_TOKEN}/"),
    ]
    web.stop()
    log = web.log()

    assert statuses[:3] == [200, 403, 404]
    assert "/s/[token]/" in log
    for secret in (token, UNKNOWN_TOKEN, SIGN_IN_TOKEN):
        assert secret not in log
