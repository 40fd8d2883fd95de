"""A database that is down, hung or slow answers 503 problem+json with Retry-After, quickly,
instead of a request hanging until gunicorn kills its worker."""

import json
import urllib.error
import urllib.request

import psycopg
import pytest

from tests.services import SilentServer, WebServer, current_database_url
from tests.support import free_port

pytestmark = pytest.mark.timeout(120)


def _get(url: str, key: str = "alk_someone") -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    # The deadline is the client's: a request that hangs fails the test here.
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@pytest.fixture
def web_on_a_hung_database(tmp_path):
    silent = SilentServer()
    web = WebServer(
        log_dir=tmp_path,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{silent.port}/alliance",
        DATABASE_CONNECT_TIMEOUT="2",
    ).start()
    yield web
    web.stop()
    silent.stop()


@pytest.fixture
def web_on_no_database(tmp_path):
    web = WebServer(
        log_dir=tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/alliance"
    ).start()
    yield web
    web.stop()


def test_the_api_answers_503_while_the_database_hangs(web_on_a_hung_database):
    status, headers, body = _get(f"{web_on_a_hung_database.url}/api/v1/clients/")

    assert status == 503
    assert headers["Content-Type"] == "application/problem+json"
    assert int(headers["Retry-After"]) > 0
    assert body["status"] == 503


def test_readyz_answers_503_while_the_database_hangs(web_on_a_hung_database):
    status, _, body = _get(f"{web_on_a_hung_database.url}/readyz")

    assert status == 503
    assert body["checks"]["database"] == "failing"


def test_the_api_answers_503_while_the_database_is_down(web_on_no_database):
    status, headers, _ = _get(f"{web_on_no_database.url}/api/v1/clients/")

    assert status == 503
    assert headers["Content-Type"] == "application/problem+json"
    assert "Retry-After" in headers


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_statement_held_past_the_web_timeout_answers_503(tmp_path, practice_a):
    web = WebServer(
        log_dir=tmp_path,
        DATABASE_URL=current_database_url(),
        DATABASE_STATEMENT_TIMEOUT_WEB="1",
        DATABASE_CONN_MAX_AGE="0",
    ).start()
    try:
        with psycopg.connect(
            current_database_url().replace("postgres://", "postgresql://")
        ) as lock:
            lock.execute("LOCK TABLE practice_client IN ACCESS EXCLUSIVE MODE")
            status, headers, _ = _get(f"{web.url}/api/v1/clients/", practice_a.api_key)
    finally:
        web.stop()

    assert status == 503
    assert "Retry-After" in headers
