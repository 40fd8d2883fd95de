"""`make bench`: the service's costs as ratios against references measured in the same run.

Run from the project root against a seeded database (`make seed`): `python -m bench.run`.
Nothing here asserts a timing: the machines are shared and noisy, so only ratios taken in
one run mean anything. Every section prints a table; `--markdown FILE` also writes them.
"""

import argparse
import os
import platform
import subprocess
import sys
from dataclasses import dataclass

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The bench runs the service as in production (DEBUG off), which needs a secret of its own.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench import http_load  # noqa: E402
from practice.models import APIKey, Client, Practice, Session  # noqa: E402
from practice.services import api_key_create  # noqa: E402
from practice.tenancy import practice_scope  # noqa: E402

console = Console(width=150)


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
    base: str, practices: list[BenchPractice], levels: list[int], seconds: int, rounds: int
):
    """req/s of each API read against the bare view and /healthz, per concurrency level; and
    each practice's rate, to compare a small practice with a large one.

    What is compared runs back to back, and each figure is the best of `rounds` runs, so that
    a burst of other work on a shared machine weighs on both sides of a ratio alike.
    """
    rates: dict[tuple, float] = {}
    errors = 0

    def measure(label: tuple, url: str, key: str | None, connections: int) -> None:
        nonlocal errors
        result = http_load.wrk(url, key=key, connections=connections, seconds=seconds)
        rates[label] = max(rates.get(label, 0.0), result.requests_per_second)
        errors += result.non_2xx

    for connections in levels:
        for _ in range(rounds):
            measure(("healthz", connections), f"{base}/healthz", None, connections)
            for index in range(len(read_paths(practices[0]))):
                for p in practices:
                    name, api, bare = read_paths(p)[index]
                    measure((p.label, name, "api", connections), base + api, p.key, connections)
                    measure((p.label, name, "bare", connections), base + bare, p.key, connections)
    for connections in levels:
        health = rates[("healthz", connections)]
        table = _table(
            f"API reads, {connections} connections (/healthz {health:,.0f} req/s)",
            ["path", "practice", "API req/s", "bare req/s", "API/bare", "API//healthz"],
        )
        for p in practices:
            for name, _, _ in read_paths(p):
                api = rates[(p.label, name, "api", connections)]
                bare = rates[(p.label, name, "bare", connections)]
                table.add_row(
                    name,
                    p.label,
                    f"{api:,.0f}",
                    f"{bare:,.0f}",
                    f"{api / bare:.2f}",
                    f"{api / health:.3f}",
                )
        console.print(table)
    if len(practices) == 2:
        small, large = practices
        table = _table(
            f"Small ({small.sessions:,} sessions) vs large ({large.sessions:,} sessions) practice",
            ["path", "connections", "small req/s", "large req/s", "cost large/small"],
        )
        for connections in levels:
            for name, _, _ in read_paths(small):
                a = rates[(small.label, name, "api", connections)]
                b = rates[(large.label, name, "api", connections)]
                table.add_row(name, str(connections), f"{a:,.0f}", f"{b:,.0f}", f"{a / b:.2f}")
        console.print(table)
    console.print(f"non-2xx answers during the API runs: {errors}")


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
    parser.add_argument(
        "--connections", default="2,8,32", help="concurrency levels, comma-separated"
    )
    parser.add_argument("--sections", default="reads", help="comma-separated: reads")
    args = parser.parse_args()
    levels = [int(n) for n in args.connections.split(",")]
    sections = set(args.sections.split(","))
    describe_machine()
    small_id, large_id = seeded_practices()
    practices = [BenchPractice.prepare("small", small_id), BenchPractice.prepare("large", large_id)]
    try:
        if "reads" in sections:
            with http_load.gunicorn_server() as base:
                bench_reads(base, practices, levels, args.seconds, args.rounds)
    finally:
        APIKey.across_practices_unsafe.filter(pk__in=[p.key_id for p in practices]).delete()


if __name__ == "__main__":
    main()
