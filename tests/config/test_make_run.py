"""`make run` on the embedded default: nothing but Python, a key printed, the API served."""

import re
import subprocess
import urllib.request

from tests.support import (
    PROJECT_ROOT,
    environment_without,
    free_port,
    stop_process_group,
    wait_for,
)


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except OSError:
        return None


def test_make_run_serves_the_api_with_a_printed_demo_key(tmp_path):
    port = free_port()
    log = tmp_path / "make-run.log"
    env = environment_without(
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "SECRET_KEY",
        "DEBUG",
        "EMAIL_URL",
        # A throwaway SQLite file keeps the developer's own demo database untouched.
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        key = wait_for(
            lambda: re.search(r"^API key: (\S+)$", log.read_text(), re.MULTILINE),
            timeout=90,
            what="the API key line",
        ).group(1)
        health = wait_for(
            lambda: _get(f"http://127.0.0.1:{port}/healthz"), timeout=60, what="/healthz"
        )
        status, body = _get(
            f"http://127.0.0.1:{port}/api/v1/clients/", {"Authorization": f"Bearer {key}"}
        )
    finally:
        stop_process_group(process)

    assert health[0] == 200
    assert status == 200
    assert b'"results"' in body
