"""The service under gunicorn as documented, and wrk driving it."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support import free_port

PROJECT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


@dataclass
class Server:
    base: str
    process: subprocess.Popen

    def worker_cpu_seconds(self) -> float:
        """CPU time (user and system) the server's worker processes have used so far.

        Unlike requests per second, CPU per request hardly moves when other work shares the
        machine, so the bench reports both.
        """
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ticks = 0
        for child in children:
            # Fields after the command name: utime and stime are the 12th and 13th.
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def gunicorn_server(extra_env: dict | None = None):
    """gunicorn as documented, run from the project folder (so `gunicorn.conf.py` applies), on
    the service's application with the bench's bare views mounted."""
    port = free_port()
    env = (
        os.environ
        | {
            "API_RATE_LIMIT": "none",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
        | (extra_env or {})
    )
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [str(GUNICORN), "bench.wsgi", "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield Server(base, server)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(base: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


@dataclass
class LoadResult:
    requests: int
    requests_per_second: float
    non_2xx: int
    p99_ms: float


_REQUESTS = re.compile(r"(\d+) requests in")
_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_P99 = re.compile(r"\s99%\s+([\d.]+)(us|ms|s)\b")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, key: str | None, connections: int, seconds: int) -> LoadResult:
    """Drive `url` with wrk (two threads) for `seconds` at `connections` open connections."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if key:
        command += ["-H", f"Authorization: Bearer {key}"]
    output = subprocess.run(  # noqa: S603 - wrk against our loopback server
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    rate = _RATE.search(output)
    if rate is None:
        raise RuntimeError(f"wrk printed no rate:\n{output}")
    non_2xx = _NON_2XX.search(output)
    p99 = _P99.search(output)
    return LoadResult(
        requests=int(_REQUESTS.search(output).group(1)),
        requests_per_second=float(rate.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        p99_ms=float(p99.group(1)) * _UNIT_MS[p99.group(2)] if p99 else float("nan"),
    )
