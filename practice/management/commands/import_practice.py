import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TimeElapsedColumn

from practice.errors import ApplicationError
from practice.imports import bulk_import_create, bulk_import_process
from practice.models import BulkImport, Practice, RecordType
from practice.tenancy import practice_scope

ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Import a CSV or JSON-lines file of clinicians, clients and sessions into a practice, "
        "as POST /api/v1/imports/ does, here and now with a progress bar."
    )

    def add_arguments(self, parser):
        parser.add_argument("practice", help="the practice's slug or id")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--type", choices=RecordType.values, default="", help="the type of every row"
        )
        parser.add_argument("--format", choices=BulkImport.Format.values)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write none")

    def handle(self, *args, practice, file, type, format, dry_run, **options):
        with practice_scope(_practice(practice)):
            try:
                bulk_import = bulk_import_create(
                    content=file.read_bytes(),
                    file_name=file.name,
                    file_format=format,
                    record_type=type,
                    dry_run=dry_run,
                    process=False,
                )
            except ApplicationError as error:
                raise CommandError(_messages(error)) from error
            except OSError as error:
                raise CommandError(str(error)) from error
            columns = (*Progress.get_default_columns(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=Console(file=self.stderr._out)) as progress:
                rows = progress.add_task("Importing rows", total=bulk_import.rows_total)
                bulk_import = bulk_import_process(
                    bulk_import_id=bulk_import.pk,
                    time_budget_seconds=None,
                    on_chunk=lambda done: progress.update(rows, completed=done.rows_done),
                )
        self._report(bulk_import)

    def _report(self, bulk_import: BulkImport) -> None:
        counts = bulk_import.counts
        self.stdout.write(
            f"Import {bulk_import.pk} {bulk_import.status}"
            f"{' (dry run: nothing written)' if bulk_import.dry_run else ''}: "
            f"{counts['created']} created, {counts['updated']} updated, "
            f"{counts['failed']} refused, {counts['skipped']} skipped."
        )
        for error in bulk_import.errors[:ERRORS_SHOWN]:
            self.stdout.write(f"  line {error['row']}: {error['errors']}")
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} rows were refused; see the lines above.")


def _practice(slug_or_id: str) -> Practice:
    try:
        found = Practice.objects.filter(pk=uuid.UUID(slug_or_id)).first()
    except ValueError:
        found = Practice.objects.filter(slug=slug_or_id).first()
    if found is None:
        raise CommandError(f"No practice has the slug or id {slug_or_id!r}.")
    return found


def _messages(error: ApplicationError) -> str:
    return "; ".join(message for messages in (error.errors or {}).values() for message in messages)
