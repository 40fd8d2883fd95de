"""`manage.py seed_demo`: a practice network at realistic scale, for `make bench`."""

import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from alliance import demo_network


class Command(BaseCommand):
    help = (
        "Seed a network of demo practices (PostgreSQL only): by default 1,000 practices with "
        "50,000 clients, about 500,000 sessions and 150,000 answers, plus 3 group practices "
        "of about 20,000 sessions each. The same --seed makes the same network, and practices "
        "already seeded are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--practices", type=int, default=1000)
        parser.add_argument("--clients-per-practice", type=int, default=50)
        parser.add_argument("--large-practices", type=int, default=3)
        parser.add_argument(
            "--large-practice-clients",
            type=int,
            default=2000,
            help="clients of each large practice (about 10 sessions each)",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiplies the number of practices and the size of each (0.01 is quick)",
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_demo writes with COPY: point DATABASE_URL at PostgreSQL.")
        if options["scale"] <= 0:
            raise CommandError("--scale must be positive.")
        plan = demo_network.NetworkPlan.build(
            seed=options["seed"],
            practices=options["practices"],
            clients_per_practice=options["clients_per_practice"],
            large_practices=options["large_practices"],
            large_practice_clients=options["large_practice_clients"],
            scale=options["scale"],
        )
        todo = list(demo_network.practices_to_seed(plan))
        anchor = demo_network.network_anchor()
        instrument_id = demo_network.alliance_check_id()
        console = Console(file=self.stdout._out)
        written = Counter()
        started = time.perf_counter()
        columns = (*Progress.get_default_columns(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("Seeding practices", total=len(todo))
            for practice_plan in todo:
                written.update(
                    demo_network.seed_practice(
                        plan=practice_plan,
                        seed=plan.seed,
                        anchor=anchor,
                        instrument_id=instrument_id,
                    )
                )
                progress.advance(task)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self._summary(console, plan, todo, written, time.perf_counter() - started)

    def _summary(self, console, plan, todo, written, seconds) -> None:
        table = Table(title=f"seed {plan.seed}: {len(plan.practices)} practices planned")
        table.add_column("table")
        table.add_column("rows written", justify="right")
        for name, count in written.items():
            table.add_row(name, f"{count:,}")
        console.print(table)
        skipped = len(plan.practices) - len(todo)
        rate = sum(written.values()) / seconds if seconds else 0
        console.print(
            f"{len(todo)} practices written, {skipped} already there (skipped), "
            f"in {seconds:.1f} s ({rate:,.0f} rows/s)."
        )
