"""Delivery by one Celery worker against a raw smtplib loop, to the same local SMTP server."""

import os
import smtplib
import sys
import tempfile
import time
from pathlib import Path

from django.db import transaction
from django.db.models import Max, Min

from alliance.models import SurveyInvitation
from alliance.surveys.services import invitation_send
from bench import workload
from config.celery import app as celery_app
from notifications.models import OutboxMessage
from notifications.rendering import render_email
from practice.tenancy import practice_scope
from tests.services import SmtpServer
from tests.support import run_process, stop_process_group, wait_for

CELERY = Path(sys.executable).parent / "celery"


def _start_worker(smtp_url: str, concurrency: int, log_dir: Path):
    log_path = log_dir / "worker.log"
    process = run_process(
        [
            str(CELERY),
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(concurrency),
            "--without-mingle",
            "--without-gossip",
        ],
        env=os.environ | {"EMAIL_URL": smtp_url, "DEBUG": "false"},
        log_path=log_path,
    )
    wait_for(lambda: " ready." in log_path.read_text(errors="replace"), timeout=60, what="worker")
    return process


def _survey_messages(practice, count: int) -> list:
    """`count` survey emails written to the outbox as the service writes them; their delivery
    tasks wait in the broker until a worker starts."""
    client = workload.bench_client(practice, sessions=count)
    planned = workload.invitations(client, status=SurveyInvitation.Status.PLANNED)
    with practice_scope(practice):
        for invitation in planned:
            invitation_send(invitation_id=invitation.pk)
    return client


def _raw_rate(smtp: SmtpServer, message: bytes, sender: str, to: str, count: int, reuse: bool):
    started = time.perf_counter()
    connection = smtplib.SMTP("127.0.0.1", smtp.port) if reuse else None
    for _ in range(count):
        if reuse:
            connection.sendmail(sender, [to], message)
        else:
            with smtplib.SMTP("127.0.0.1", smtp.port) as one:
                one.sendmail(sender, [to], message)
    if reuse:
        connection.quit()
    return count / (time.perf_counter() - started)


def delivery_rates(practice, count: int, concurrency: int) -> dict[str, float]:
    """Messages per second: one worker through the outbox, and a raw smtplib loop sending the
    same rendered message over one connection and over a connection per message."""
    celery_app.control.purge()
    smtp = SmtpServer().start()
    client = None
    try:
        client = _survey_messages(practice, count)
        recipient = f"client:{client.pk}"
        with tempfile.TemporaryDirectory() as log_dir:
            worker = _start_worker(smtp.url, concurrency, Path(log_dir))
            try:
                wait_for(
                    lambda: (
                        smtp.count() >= count
                        and not OutboxMessage.across_practices_unsafe.filter(
                            recipient=recipient, status__in=["pending", "claimed"]
                        ).exists()
                    ),
                    timeout=300,
                    what=f"{count} survey emails",
                )
            finally:
                stop_process_group(worker)
        with practice_scope(practice):
            span = OutboxMessage.objects.filter(recipient=recipient).aggregate(
                first=Min("claimed_at"), last=Max("sent_at")
            )
            with transaction.atomic():
                email = render_email(OutboxMessage.objects.filter(recipient=recipient).first())
        worker_rate = count / (span["last"] - span["first"]).total_seconds()
        # As Django's SMTP backend puts it on the wire.
        rendered = email.message().as_bytes(linesep="\r\n")
        sender, to = email.from_email, email.recipients()[0]
        return {
            "worker": worker_rate,
            "raw, one connection": _raw_rate(smtp, rendered, sender, to, count, reuse=True),
            "raw, connection per message": _raw_rate(smtp, rendered, sender, to, count, False),
        }
    finally:
        smtp.stop()
        if client is not None:
            workload.remove([client])
