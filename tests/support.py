"""Helpers for tests that run real processes: free ports and polling with a deadline."""

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_pause = threading.Event()  # never set: waiting on it is a pause between polls

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], T], *, timeout: float, what: str, interval: float = 0.2) -> T:
    """Poll `check` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up after {timeout:.0f}s waiting for {what}")
        _pause.wait(interval)


def environment_without(*names: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in names}
    return env | extra


def stop_process_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_process(args: list[str], *, env: dict, log_path: Path) -> subprocess.Popen:
    """Start a process in its own group (so that it can be killed with its children)."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            args,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_process_group(process: subprocess.Popen) -> None:
    """SIGKILL, as the kernel's OOM killer or a pulled plug would: no cleanup at all."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def run_in_another_connection(practice, work: Callable[[], T], *, timeout: float = 30) -> T:
    """Run `work` in the practice's scope on a thread of its own, so on a database connection
    of its own that commits before this returns: another request, as far as the database can
    tell."""
    from django.db import connection

    from practice.tenancy import practice_scope

    outcome: dict = {}

    def run() -> None:
        try:
            with practice_scope(practice):
                outcome["result"] = work()
        except BaseException as error:
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"Gave up after {timeout:.0f}s waiting for the other connection")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")
