"""`make bench`: the service's costs as ratios against references measured in the same run.

Run from the project root against a seeded database (`make seed`): `python -m bench.run`.
Nothing here asserts a timing: the machines are shared and noisy, so only ratios taken in
one run mean anything. Every section prints a table; `--markdown FILE` also writes them.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The bench runs the service as in production (DEBUG off), which needs a secret of its own.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
# With DEBUG off the service refuses to start without an email server; the bench sends none.
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The bench sends its emails to its own SMTP server (the delivery section); nothing else mails.
os.environ.setdefault("EMAIL_URL", "dummymail://")
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench import delivery, http_load, inprocess  # noqa: E402
from practice.models import APIKey, Client, Practice, Session  # noqa: E402
from practice.services import api_key_create  # noqa: E402
from practice.tenancy import practice_scope  # noqa: E402

console = Console(width=200)


@dataclass
class BenchPractice:
    """A seeded practice the bench reads as, with a key made for the run."""

    label: str
    practice: Practice
    sessions: int
    key: str
    key_id: str
    client_id: str

    @classmethod
    def prepare(cls, label: str, practice_id) -> "BenchPractice":
        practice = Practice.objects.get(pk=practice_id)
        with practice_scope(practice):
            api_key, raw_key = api_key_create(name="bench")
            # The client with the longest history: the heaviest alliance series and session list.
            client = (
                Client.objects.annotate(answers=Count("responses"))
                .order_by("-answers", "id")
                .first()
            )
            sessions = Session.objects.count()
        return cls(label, practice, sessions, raw_key, str(api_key.pk), str(client.pk))


def seeded_practices() -> tuple:
    """Ids of a typical practice of the seeded network and of its largest one."""
    sizes = list(
        Session.across_practices_unsafe.filter(practice__slug__startswith="demo-")
        .values_list("practice_id")
        .annotate(n=Count("id"))
        .order_by("n", "practice_id")
    )
    if len(sizes) < 2:
        sys.exit("Seed the database first: make seed (or manage.py seed_demo --scale 0.1).")
    return sizes[len(sizes) // 2][0], sizes[-1][0]


def read_paths(p: BenchPractice) -> list[tuple[str, str, str]]:
    """(name, API path, bare reference path) for each read the issue measures."""
    c = p.client_id
    return [
        ("client detail", f"/api/v1/clients/{c}/", f"/bare/clients/{c}/"),
        ("clients page (50)", "/api/v1/clients/", "/bare/clients/"),
        ("sessions page (50)", "/api/v1/sessions/", "/bare/sessions/"),
        ("sessions of a client", f"/api/v1/sessions/?client={c}", f"/bare/sessions/?client={c}"),
        ("alliance series", f"/api/v1/clients/{c}/alliance/", f"/bare/clients/{c}/alliance/"),
        ("alerts page (50)", "/api/v1/alerts/", "/bare/alerts/"),
    ]


def _table(title: str, columns: list[str]) -> Table:
    table = Table(title=title, title_justify="left")
    for n, column in enumerate(columns):
        table.add_column(column, justify="left" if n == 0 else "right")
    return table


def bench_reads(
    server, practices: list[BenchPractice], levels: list[int], seconds: int, rounds: int
):
    """Each API read against the bare view and /healthz, per concurrency level, as requests
    per second and as the web workers' CPU time per request; and the same for a small and a
    large practice.

    What is compared runs back to back, and each figure is the best of `rounds` runs, so that
    a burst of other work on a shared machine weighs on both sides of a ratio alike.
    """
    rates: dict[tuple, float] = {}
    cpu: dict[tuple, float] = {}
    errors = 0

    def measure(label: tuple, path: str, key: str | None, connections: int) -> None:
        nonlocal errors
        before = server.worker_cpu_seconds()
        result = http_load.wrk(
            server.base + path, key=key, connections=connections, seconds=seconds
        )
        per_request = (server.worker_cpu_seconds() - before) / max(result.requests, 1)
        rates[label] = max(rates.get(label, 0.0), result.requests_per_second)
        cpu[label] = min(cpu.get(label, float("inf")), per_request)
        errors += result.non_2xx

    for connections in levels:
        for _ in range(rounds):
            measure(("healthz", connections), "/healthz", None, connections)
            for index in range(len(read_paths(practices[0]))):
                for p in practices:
                    name, api, bare = read_paths(p)[index]
                    measure((p.label, name, "api", connections), api, p.key, connections)
                    measure((p.label, name, "bare", connections), bare, p.key, connections)
    for connections in levels:
        health, health_cpu = rates[("healthz", connections)], cpu[("healthz", connections)]
        table = _table(
            f"API reads, {connections} connections (/healthz {health:,.0f} req/s, "
            f"{health_cpu * 1000:.2f} ms CPU)",
            [
                "path",
                "practice",
                "API req/s",
                "bare req/s",
                "API/bare",
                "API//healthz",
                "API CPU ms",
                "bare CPU ms",
                "API/bare by CPU",
                "API//healthz by CPU",
            ],
        )
        for p in practices:
            for name, _, _ in read_paths(p):
                api, bare = (rates[(p.label, name, kind, connections)] for kind in ("api", "bare"))
                api_cpu, bare_cpu = (
                    cpu[(p.label, name, kind, connections)] for kind in ("api", "bare")
                )
                table.add_row(
                    name,
                    p.label,
                    f"{api:,.0f}",
                    f"{bare:,.0f}",
                    f"{api / bare:.2f}",
                    f"{api / health:.3f}",
                    f"{api_cpu * 1000:.2f}",
                    f"{bare_cpu * 1000:.2f}",
                    f"{bare_cpu / api_cpu:.2f}",
                    f"{health_cpu / api_cpu:.3f}",
                )
        console.print(table)
    if len(practices) == 2:
        small, large = practices
        table = _table(
            f"Small ({small.sessions:,} sessions) vs large ({large.sessions:,} sessions) practice",
            [
                "path",
                "connections",
                "small req/s",
                "large req/s",
                "cost large/small",
                "cost large/small by CPU",
            ],
        )
        for connections in levels:
            for name, _, _ in read_paths(small):
                a, b = (rates[(p.label, name, "api", connections)] for p in practices)
                a_cpu, b_cpu = (cpu[(p.label, name, "api", connections)] for p in practices)
                table.add_row(
                    name,
                    str(connections),
                    f"{a:,.0f}",
                    f"{b:,.0f}",
                    f"{a / b:.2f}",
                    f"{b_cpu / a_cpu:.2f}",
                )
        console.print(table)
    console.print(f"non-2xx answers during the API runs: {errors}")


def bench_writes(small: BenchPractice, n: int) -> None:
    table = _table(
        f"Writes, in process, median of {n} (API and bare view turn about)",
        ["path", "API ms", "bare ms", "API speed / bare"],
    )
    for name, api, bare in inprocess.write_paths(small.practice, small.key, n):
        table.add_row(name, f"{api * 1000:.2f}", f"{bare * 1000:.2f}", f"{bare / api:.2f}")
    console.print(table)


def bench_alerts(small: BenchPractice, repeat: int) -> None:
    timings = inprocess.alert_evaluation(small.practice, (3, 30, 300), repeat)
    table = _table(
        f"Alert evaluation of a client's latest answer, {repeat} runs each",
        ["answers in history", "p50 ms", "p99 ms", "p50 / p50 at 3"],
    )
    base = statistics.median(timings[3])
    for size, runs in timings.items():
        p99 = statistics.quantiles(runs, n=100)[98]
        p50 = statistics.median(runs)
        table.add_row(str(size), f"{p50 * 1000:.2f}", f"{p99 * 1000:.2f}", f"{p50 / base:.2f}")
    console.print(table)


def bench_delivery(small: BenchPractice, count: int, concurrency: int) -> None:
    rates = delivery.delivery_rates(small.practice, count, concurrency)
    one_connection = rates["raw, one connection"]
    table = _table(
        f"Delivery of {count} survey emails to a local SMTP server "
        f"(one worker, --concurrency {concurrency})",
        ["sender", "msg/s", "/ raw over one connection"],
    )
    for name, rate in rates.items():
        table.add_row(name, f"{rate:,.0f}", f"{rate / one_connection:.2f}")
    console.print(table)


def describe_machine() -> None:
    with open("/proc/cpuinfo") as cpuinfo:
        models = [line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line]
    cpu = models[0] if models else platform.processor()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg_version,) = cursor.fetchone()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout  # noqa: S607
    console.print(
        f"Machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"PostgreSQL {pg_version}, {wrk_version.split(chr(10))[0].strip()}"
    )
    counts = {
        "practices": Practice.objects.count(),
        "clients": Client.across_practices_unsafe.count(),
        "sessions": Session.across_practices_unsafe.count(),
    }
    console.print("Data: " + ", ".join(f"{n:,} {what}" for what, n in counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, the best counts")
    parser.add_argument("--connections", default="2,16", help="concurrency levels, comma-separated")
    parser.add_argument(
        "--sections",
        default="reads,writes,alerts,delivery",
        help="comma-separated, of: reads, writes, alerts, delivery",
    )
    parser.add_argument("--writes", type=int, default=40, help="requests of each write")
    parser.add_argument("--messages", type=int, default=300, help="emails to deliver")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args()
    levels = [int(n) for n in args.connections.split(",")]
    sections = set(args.sections.split(","))
    describe_machine()
    small_id, large_id = seeded_practices()
    practices = [BenchPractice.prepare("small", small_id), BenchPractice.prepare("large", large_id)]
    try:
        if "reads" in sections:
            with http_load.gunicorn_server() as server:
                bench_reads(server, practices, levels, args.seconds, args.rounds)
        if "writes" in sections:
            bench_writes(practices[0], args.writes)
        if "alerts" in sections:
            bench_alerts(practices[0], repeat=100)
        if "delivery" in sections:
            bench_delivery(practices[0], args.messages, args.worker_concurrency)
    finally:
        APIKey.across_practices_unsafe.filter(pk__in=[p.key_id for p in practices]).delete()


if __name__ == "__main__":
    main()
