"""`make bench-import`: how long a bulk import of 100,000 rows takes, end to end.

Writes a JSON-lines file of 200 clinicians, 30,000 clients and 69,800 sessions (each session
already completed, as a practice's history arrives), imports it into a new practice exactly as
`manage.py import_practice` does (the worker's code: chunks of 500 rows, each in one
transaction), and prints the time and the rows per second. `--rows` scales the file. It runs on
the database DATABASE_URL names (`make bench-import` uses the bench's own, never the tests').
"""

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
# With DEBUG off the service refuses to start without an email server; the bench sends none.
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ.setdefault("LOG_LEVEL", "WARNING")
django.setup()

from django.core.management import call_command  # noqa: E402

from practice.models import BulkImport  # noqa: E402
from practice.services import practice_create  # noqa: E402
from practice.tenancy import practice_scope  # noqa: E402


def _rows(total: int):
    clinicians, clients = max(total // 500, 1), max(total * 3 // 10, 1)
    for n in range(clinicians):
        yield {"type": "clinician", "external_id": f"C-{n}", "name": f"Clinician {n}",
               "email": f"clinician{n}@example.org"}  # fmt: skip
    for n in range(clients):
        yield {"type": "client", "external_id": f"P-{n}", "name": f"Client {n}",
               "email": f"client{n}@example.org", "clinician_external_id": f"C-{n % clinicians}",
               "survey_consent": True}  # fmt: skip
    first = datetime(2025, 1, 6, 9, tzinfo=UTC)
    for n in range(total - clinicians - clients):
        starts_at = first + timedelta(weeks=n // clients, hours=n % 8)
        yield {"type": "session", "external_id": f"S-{n}", "client_external_id": f"P-{n % clients}",
               "starts_at": starts_at.isoformat(), "status": "completed"}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    practice, _ = practice_create(name="Import bench", owner_email="bench@example.org")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in _rows(rows)))
        started = time.monotonic()
        call_command("import_practice", practice.slug, str(path))
        seconds = time.monotonic() - started
    with practice_scope(practice):
        counts = BulkImport.objects.get().counts
    print(f"{rows} rows in {seconds:.0f} s ({rows / seconds:.0f} rows/s); counts: {counts}")


if __name__ == "__main__":
    main()
