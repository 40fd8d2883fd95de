"""`make run` on the embedded default: nothing but Python, a key printed, the API served, and
a completed session's survey printed as an email with a working link."""

import json
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


def _call(url: str, *, key: str | None = None, method: str = "GET", body: dict | None = None):
    headers = {"Content-Type": "application/json"} | (
        {"Authorization": f"Bearer {key}"} if key else {}
    )
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except OSError:
        return None


def test_make_run_serves_the_api_and_emails_a_survey_after_a_completed_session(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "make-run.log"
    env = environment_without(
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "CACHE_URL",
        "SECRET_KEY",
        "DEBUG",
        "EMAIL_URL",
        # Links must come out on the port given to make, without SITE_URL saying so.
        "SITE_URL",
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
        health = wait_for(lambda: _call(f"{base}/healthz"), timeout=60, what="/healthz")
        _call(
            f"{base}/api/v1/survey-policy/",
            key=key,
            method="PATCH",
            body={"send_delay_minutes": 0, "quiet_hours": None},
        )
        status, sessions = _call(f"{base}/api/v1/sessions/", key=key)
        session_id = json.loads(sessions)["results"][0]["id"]
        _call(f"{base}/api/v1/sessions/{session_id}/complete/", key=key, method="POST")
        link = wait_for(
            lambda: re.search(rf"{re.escape(base)}/s/[A-Za-z0-9_-]+/", log.read_text()),
            timeout=30,
            what="the survey email on the console",
        ).group(0)
        page_status, page = _call(link)
        sign_in_status, _ = _call(f"{base}/app/sign-in/")
    finally:
        stop_process_group(process)

    assert health[0] == status == page_status == sign_in_status == 200
    assert 'name="comfort"' in page
    assert "NotRegistered" not in log.read_text()
    assert re.search(
        r"^Clinician's pages: .*/app/sign-in/ .*ana@demo\.invalid", log.read_text(), re.M
    )
