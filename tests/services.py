"""Real services for the tests that need them: an SMTP server, a Redis, Celery workers.

Each test that breaks a service gets an instance of its own on a free port; the machine's
shared PostgreSQL and Redis are never stopped.
"""

import asyncio
import email
import re
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from django.db import connection

from tests.support import (
    VENV_PYTHON,
    environment_without,
    free_port,
    run_process,
    stop_process_group,
    wait_for,
)


@dataclass
class ReceivedEmail:
    message_id: str
    to: str
    subject: str
    body: str
    accepted_at: float  # time.time() when the server answered 250 to DATA
    peer: tuple = ()  # the client's address and port: one per SMTP connection


@dataclass
class SmtpServer:
    """An aiosmtpd server that keeps what it accepts, and can be told to refuse."""

    port: int = field(default_factory=free_port)
    received: list[ReceivedEmail] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # replies to give, one per DATA, first
    accept_delay: float = 0.0  # seconds to hold each DATA before answering
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        if self.accept_delay:
            await asyncio.sleep(self.accept_delay)
        with self._lock:
            if self.refusals:
                return self.refusals.pop(0)
            parsed = email.message_from_bytes(envelope.content)
            text = next(
                part.get_payload(decode=True).decode()
                for part in parsed.walk()
                if part.get_content_type() == "text/plain"
            )
            self.received.append(
                ReceivedEmail(
                    message_id=parsed["Message-ID"],
                    to=parsed["To"],
                    subject=parsed["Subject"],
                    body=text,
                    accepted_at=time.time(),
                    peer=tuple(session.peer),
                )
            )
        return "250 Message accepted"

    def start(self) -> "SmtpServer":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def by_message_id(self) -> dict[str, int]:
        with self._lock:
            counts: dict[str, int] = {}
            for message in self.received:
                counts[message.message_id] = counts.get(message.message_id, 0) + 1
            return counts


class RedisServer:
    """A redis-server of the test's own, which the test may stop and start again."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for the delivery tests"
        self.process = run_process(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            env=environment_without(),
            log_path=self.log_dir / f"redis-{self.port}.log",
        )
        wait_for(self._answers, timeout=20, what=f"redis on port {self.port}")
        return self

    def start_on_same_port(self) -> "RedisServer":
        """Start again after `stop()`, where clients expect it."""
        return self.start()

    def _answers(self) -> bool:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return result.stdout.strip() == "PONG"

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)
            self.process = None


class CeleryWorker:
    """`celery -A config worker` (with `-B`, beat embedded, where asked) on the test database."""

    def __init__(self, *, broker_url: str, smtp_url: str, log_dir: Path, beat: bool, name: str):
        self.log_path = log_dir / f"{name}.log"
        self.env = environment_without(
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "CACHE_URL",
            "EMAIL_URL",
            "DEBUG",
            DATABASE_URL=current_database_url(),
            CELERY_BROKER_URL=broker_url,
            EMAIL_URL=smtp_url,
            SECRET_KEY="test-secret-key-not-for-production",
            OUTBOX_RETRY_BASE_SECONDS="0.2",
            OUTBOX_RETRY_MAX_SECONDS="1",
            OUTBOX_MAX_ATTEMPTS="3",
            OUTBOX_CLAIM_LEASE_SECONDS="3",
            OUTBOX_REQUEUE_AFTER_SECONDS="2",
            OUTBOX_SWEEP_SECONDS="0.5",
            # Batches small enough that a few messages make several, and two workers share them.
            OUTBOX_BATCH_SIZE="5",
            SURVEY_SCAN_SECONDS="0.5",
            IMPORT_STALLED_AFTER_SECONDS="2",
            WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
            DATABASE_CONN_MAX_AGE="0",
        )
        self.args = [
            str(VENV_PYTHON.parent / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--hostname",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
        ]
        if beat:
            self.args += ["-B", "--schedule", str(log_dir / f"{name}-beat-schedule")]
        self.process: subprocess.Popen | None = None

    def start(self) -> "CeleryWorker":
        self.process = run_process(self.args, env=self.env, log_path=self.log_path)
        wait_for(
            lambda: " ready." in self.log_path.read_text(errors="replace"),
            timeout=60,
            what=f"the worker to be ready (see {self.log_path})",
        )
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)
            self.process = None

    def sweeps_done(self) -> int:
        log = self.log_path.read_text(errors="replace")
        return len(re.findall(r"notifications\.tasks\.sweep_outbox\[[^]]+\] succeeded", log))

    def wait_for_sweeps(self, count: int) -> None:
        """Wait until the embedded beat has swept the outbox `count` more times."""
        target = self.sweeps_done() + count
        wait_for(lambda: self.sweeps_done() >= target, timeout=30, what=f"{count} sweeps")


class WebhookReceiver:
    """An HTTP server on localhost that records each request and answers as told."""

    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list[int] = []  # statuses to answer, first; then 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.replies.pop(0) if receiver.replies else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


def current_database_url() -> str:
    """The URL of the test database this process uses, for processes the test starts."""
    database = connection.settings_dict
    return (
        f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


class WebServer:
    """The web process as deployed: `gunicorn config.wsgi` with its access log, on a free port."""

    def __init__(self, *, log_dir: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        self.env = (
            environment_without(
                "DEBUG",
                "EMAIL_URL",
                SECRET_KEY="test-secret-key-not-for-production",
                EMAIL_URL="dummymail://",
                SITE_URL=self.url,
            )
            | env
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> "WebServer":
        self.process = run_process(
            [
                str(VENV_PYTHON.parent / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
            env=self.env,
            log_path=self.log_path,
        )
        wait_for(self._answers, timeout=60, what=f"gunicorn on port {self.port}")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)
            self.process = None


class SilentServer:
    """A TCP server that accepts connections and never answers: a hung database."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stopped = threading.Event()
        threading.Thread(target=self._accept_and_hold, daemon=True).start()

    def _accept_and_hold(self) -> None:
        while not self._stopped.is_set():
            try:
                accepted, _ = self._listener.accept()
            except OSError:
                return
            self._held.append(accepted)

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
        for held in self._held:
            held.close()
