"""Bulk imports: a file of clinicians, clients and sessions, loaded chunk by chunk.

A file is CSV (a header row naming the fields of the JSON resources) or JSON lines (one object
per line). Every row is put by its `external_id`, exactly as `PUT …/external/{external_id}/`
would put it, with the same validation; a row's `type` (`clinician`, `client`, `session`) is
the import's own when it has one, else the row's `type` field. Rows are taken in file order,
so a file can hold clinicians, then their clients, then the clients' sessions.

All or nothing per chunk: the rows of a chunk (`CHUNK_ROWS`) are written in one transaction,
together with the import's progress. If any row of a chunk is refused, none of that chunk is
written: its refused rows are reported with their errors and its other rows counted as
`skipped`, and the import goes on with the next chunk. Put the file again after correcting it:
rows already imported are found by their external ids and updated, not duplicated.

An import records history: a session it marks completed plans no survey.
"""

import csv
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError as DRFValidationError

from practice import hooks
from practice.api import (
    ClientUpsertSerializer,
    ClinicianUpsertSerializer,
    SessionUpsertSerializer,
)
from practice.errors import ApplicationError, InvalidInput
from practice.models import (
    BulkImport,
    BulkImportFile,
    Client,
    Clinician,
    RecordType,
    Session,
    validate_external_id,
)
from practice.services import (
    client_upsert,
    clients_create_by_external_id,
    clinician_upsert,
    session_upsert,
    sessions_create_by_external_id,
)
from practice.tasking import enqueue_now_rollback_unsafe, enqueue_on_commit
from practice.tenancy import current_practice

CHUNK_ROWS = 500
# Errors kept on the import; the counts still count every refused row.
MAX_REPORTED_ERRORS = 1000
# A worker stops taking chunks after this long and queues the rest, well inside the task's
# time limit.
TIME_BUDGET_SECONDS = 20

_UPSERTS = {
    RecordType.CLINICIAN: (ClinicianUpsertSerializer, clinician_upsert),
    RecordType.CLIENT: (ClientUpsertSerializer, client_upsert),
    RecordType.SESSION: (SessionUpsertSerializer, session_upsert),
}
# What a row may name beyond its fields: its own id and, in a mixed file, its type.
_ROW_KEYS = {"external_id", "type"}


@cache
def _row_serializer(record_type: str):
    """One validating serializer per type, reused for every row: building a serializer's
    fields costs more than validating a row. Its related fields query in the scope of the
    moment, so one instance serves every practice."""
    serializer_class, _ = _UPSERTS[record_type]
    return serializer_class(partial=True)


@cache
def _writable_fields(record_type: str) -> frozenset[str]:
    fields = _row_serializer(record_type).fields.items()
    return frozenset(name for name, f in fields if not f.read_only)


def known_columns(record_type: str | None) -> set[str]:
    types = [record_type] if record_type else list(RecordType)
    return _ROW_KEYS.union(*(_writable_fields(t) for t in types))


class UnreadableFile(InvalidInput):
    def __init__(self, message: str):
        super().__init__({"file": [message]})


@dataclass
class Row:
    line: int
    values: dict
    problem: str | None = None


def read_rows(content: bytes, file_format: str) -> Iterator[Row]:
    """The file's rows in order, each with the line it starts on. Empty CSV cells are left
    out, as fields not given."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile("The file is not UTF-8 text.") from error
    if file_format == BulkImport.Format.CSV:
        yield from _csv_rows(text)
    else:
        yield from _json_lines(text)


def _csv_rows(text: str) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    line = 2
    try:
        for values in reader:
            if None in values:
                yield Row(line, {}, "This row has more cells than the header has columns.")
            else:
                yield Row(line, {k: v for k, v in values.items() if v not in ("", None)})
            line = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(f"Line {reader.line_num}: {error}.") from error


def _json_lines(text: str) -> Iterator[Row]:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            values = json.loads(raw)
        except ValueError:
            yield Row(line, {}, "This line is not a JSON object.")
            continue
        if isinstance(values, dict):
            yield Row(line, values)
        else:
            yield Row(line, {}, "This line is not a JSON object.")


def csv_header(content: bytes) -> list[str]:
    first = next(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")), [])
    return [name.strip() for name in first]


def _format_of(content: bytes, file_name: str, requested: str | None) -> str:
    if requested:
        return requested
    name = file_name.lower()
    if name.endswith(".csv"):
        return BulkImport.Format.CSV
    if name.endswith((".jsonl", ".ndjson")):
        return BulkImport.Format.JSON_LINES
    return BulkImport.Format.JSON_LINES if content.lstrip()[:1] == b"{" else BulkImport.Format.CSV


@transaction.atomic
def bulk_import_create(
    *,
    content: bytes,
    file_name: str = "",
    file_format: str | None = None,
    record_type: str = "",
    dry_run: bool = False,
    process: bool = True,
) -> BulkImport:
    """Store the file as a row of the practice and, once committed, queue its processing.

    The file is read once here so that a file that cannot be imported at all (too large, not
    UTF-8, a CSV header naming unknown fields) is refused at once; rows are checked by the
    worker. `process=False` leaves the processing to the caller (the command runs it itself).
    """
    if len(content) > settings.MAX_IMPORT_BODY_BYTES:
        raise UnreadableFile(
            f"An import's file may hold at most {settings.MAX_IMPORT_BODY_BYTES} bytes."
        )
    if b"\x00" in content:
        raise UnreadableFile("The file contains the NUL character, which no field may hold.")
    file_format = _format_of(content, file_name, file_format)
    rows_total = sum(1 for _ in read_rows(content, file_format))
    if file_format == BulkImport.Format.CSV:
        header = csv_header(content)
        unknown = sorted(set(header) - known_columns(record_type or None))
        if unknown:
            raise UnreadableFile(f"Unknown columns: {', '.join(unknown)}.")
        if not record_type and "type" not in header:
            raise UnreadableFile("Give the import a `type`, or the file a `type` column.")
    if rows_total == 0:
        raise UnreadableFile("The file has no rows.")
    practice = current_practice()
    bulk_import = BulkImport.objects.create(
        practice=practice,
        format=file_format,
        record_type=record_type,
        dry_run=dry_run,
        rows_total=rows_total,
        counts=dict.fromkeys(COUNT_NAMES, 0),
    )
    BulkImportFile.objects.create(practice=practice, bulk_import=bulk_import, content=content)
    if process:
        _queue(bulk_import)
    return bulk_import


COUNT_NAMES = ("created", "updated", "failed", "skipped")


PROCESS_TASK = "practice.tasks.process_bulk_import"


def _queue(bulk_import: BulkImport) -> None:
    enqueue_on_commit(PROCESS_TASK, bulk_import.practice_id, bulk_import.pk)


class _RowRefused(Exception):
    def __init__(self, errors: dict, existing_id=None):
        self.errors = errors
        self.existing_id = existing_id


def _row_type(bulk_import: BulkImport, values: dict) -> str:
    record_type = bulk_import.record_type or values.get("type")
    if record_type not in RecordType.values:
        raise _RowRefused({"type": [f"Use one of: {', '.join(RecordType.values)}."]})
    return record_type


@dataclass
class _ValidRow:
    row: Row
    record_type: str
    external_id: str
    data: dict


def _validate(bulk_import: BulkImport, row: Row, known: "_KnownRecords") -> _ValidRow:
    """A row's fields checked as the same PUT would check them, references resolved."""
    if row.problem:
        raise _RowRefused({"non_field_errors": [row.problem]})
    record_type = _row_type(bulk_import, row.values)
    values = {k: v for k, v in row.values.items() if k != "type"}
    external_id = str(values.pop("external_id", ""))
    try:
        validate_external_id(external_id)
    except DjangoValidationError as error:
        raise _RowRefused({"external_id": error.messages}) from error
    unknown = set(values) - _writable_fields(record_type)
    if unknown:
        raise _RowRefused({name: ["Not a field of this type."] for name in sorted(unknown)})
    try:
        data = _row_serializer(record_type).run_validation(values)
    except DRFValidationError as error:
        raise _RowRefused(error.detail) from error
    known.substitute(data)
    return _ValidRow(row, record_type, external_id, data)


def _put(valid: _ValidRow) -> bool:
    """Put one checked row by its external id, as the same PUT would; True if it created."""
    # History arrives in bulk: an imported completion plans no survey.
    options = {"as_history": True} if valid.record_type == RecordType.SESSION else {}
    _, upsert = _UPSERTS[valid.record_type]
    try:
        _, created = upsert(external_id=valid.external_id, **valid.data, **options)
    except ApplicationError as error:
        raise _RowRefused(
            error.errors or {"non_field_errors": [error.detail]},
            existing_id=getattr(error, "existing_id", None),
        ) from error
    return created


class _KnownRecords:
    """The clinicians and clients the rows name by external id, read in one query per type,
    so that each row does not look its references up again."""

    def __init__(self, rows: list[Row]):
        self.records = {}
        for model, record_type in ((Clinician, RecordType.CLINICIAN), (Client, RecordType.CLIENT)):
            wanted = {
                str(row.values[f"{record_type}_external_id"])
                for row in rows
                if f"{record_type}_external_id" in row.values
            }
            for record in model.objects.filter(external_id__in=wanted):
                self.records[(record_type, record.external_id)] = record

    def substitute(self, data: dict) -> None:
        for record_type in (RecordType.CLINICIAN, RecordType.CLIENT):
            external_id = data.get(f"{record_type}_external_id")
            record = self.records.get((record_type, external_id))
            if record is not None and data.get(record_type) is None:
                data[record_type] = record
                del data[f"{record_type}_external_id"]


@dataclass
class _ChunkOutcome:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)

    def count(self, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.updated += 1


class _UndoChunk(Exception):
    """Raised to roll a chunk back: it had a refused row, or the import is a dry run."""


def _run_chunk(bulk_import: BulkImport, rows: list[Row], *, replayed: list[Row]) -> _ChunkOutcome:
    """Put the chunk's rows in one transaction, kept only if every row was accepted and the
    import is not a dry run. `replayed` rows are put first, unreported: in a dry run, the
    earlier rows of the file that this chunk's rows refer to."""
    outcome = _ChunkOutcome()
    try:
        with transaction.atomic():
            for segment in _segments(bulk_import, replayed):
                _put_segment(bulk_import, segment, _ChunkOutcome())
            for segment in _segments(bulk_import, rows):
                _put_segment(bulk_import, segment, outcome)
            if outcome.errors or bulk_import.dry_run:
                raise _UndoChunk
    except _UndoChunk:
        pass
    return outcome


def _segments(bulk_import: BulkImport, rows: list[Row]) -> Iterator[list[Row]]:
    """Runs of consecutive rows of one type: within a run no row names another."""
    segment: list[Row] = []
    for row in rows:
        if segment and _row_key(bulk_import, row)[0] != _row_key(bulk_import, segment[0])[0]:
            yield segment
            segment = []
        segment.append(row)
    if segment:
        yield segment


# New clients and sessions are inserted many at a time, by the same rules as one at a time.
_BATCH_CREATES = {
    RecordType.CLIENT: (Client, clients_create_by_external_id),
    RecordType.SESSION: (Session, sessions_create_by_external_id),
}


def _put_segment(bulk_import: BulkImport, rows: list[Row], outcome: _ChunkOutcome) -> None:
    """Put a run of rows of one type. Rows that create a client or session whose references
    are all known go into one insert; the others, and every row of an insert that fails, are
    put one by one in file order, so that each refusal is reported on its own row."""
    known = _KnownRecords(rows)
    valid_rows = []
    for row in rows:
        try:
            valid_rows.append(_validate(bulk_import, row, known))
        except _RowRefused as refused:
            outcome.errors.append(_row_error(row, refused))
    batch, one_by_one = _split_new(valid_rows)
    if batch and not _create_together(batch, outcome):
        one_by_one = sorted(batch + one_by_one, key=lambda valid: valid.row.line)
    for valid in one_by_one:
        try:
            outcome.count(_put(valid))
        except _RowRefused as refused:
            outcome.errors.append(_row_error(valid.row, refused))


def _split_new(valid_rows: list[_ValidRow]) -> tuple[list[_ValidRow], list[_ValidRow]]:
    """The rows that can be created together (new external ids, each once, references
    resolved), and the rest."""
    if not valid_rows or valid_rows[0].record_type not in _BATCH_CREATES:
        return [], valid_rows
    model, _ = _BATCH_CREATES[valid_rows[0].record_type]
    ids = {valid.external_id for valid in valid_rows}
    taken = set(model.objects.filter(external_id__in=ids).values_list("external_id", flat=True))
    batch, rest, seen = [], [], set()
    for valid in valid_rows:
        unresolved = any(name.endswith("_external_id") for name in valid.data)
        if valid.external_id in taken or valid.external_id in seen or unresolved:
            rest.append(valid)
        else:
            batch.append(valid)
        seen.add(valid.external_id)
    return batch, rest


def _create_together(batch: list[_ValidRow], outcome: _ChunkOutcome) -> bool:
    """Create the batch in one insert; False (nothing written) if any of it was refused."""
    _, create = _BATCH_CREATES[batch[0].record_type]
    try:
        with transaction.atomic():
            create(records={valid.external_id: valid.data for valid in batch})
    except (ApplicationError, IntegrityError):
        return False
    outcome.created += len(batch)
    return True


def _row_error(row: Row, refused: _RowRefused) -> dict:
    error = {
        "row": row.line,
        "external_id": row.values.get("external_id"),
        "errors": refused.errors,
    }
    if refused.existing_id is not None:
        error["existing_id"] = str(refused.existing_id)
    return error


def _row_key(bulk_import: BulkImport, row: Row) -> tuple:
    return (bulk_import.record_type or row.values.get("type"), row.values.get("external_id"))


def _references(row: Row) -> set[tuple]:
    return {
        (record_type, row.values[f"{record_type}_external_id"])
        for record_type in (RecordType.CLINICIAN, RecordType.CLIENT)
        if f"{record_type}_external_id" in row.values
    }


def _earlier_rows_needed(bulk_import: BulkImport, earlier: list[Row], chunk: list[Row]):
    """The earlier rows of the file that a dry run's chunk builds on: those that put the
    records the chunk's rows name or update, and in turn the records those name. A reference
    always points back in the file, so one backward pass finds them all."""
    wanted = set()
    for row in chunk:
        wanted |= {_row_key(bulk_import, row), *_references(row)}
    needed = []
    for row in reversed(earlier):
        if _row_key(bulk_import, row) in wanted:
            wanted |= _references(row)
            needed.append(row)
    needed.reverse()
    return needed


def _record_chunk(bulk_import: BulkImport, rows: list[Row], outcome: _ChunkOutcome) -> None:
    counts = bulk_import.counts
    counts["failed"] += len(outcome.errors)
    if outcome.errors:
        counts["skipped"] += len(rows) - len(outcome.errors)
    else:
        counts["created"] += outcome.created
        counts["updated"] += outcome.updated
    room = MAX_REPORTED_ERRORS - len(bulk_import.errors)
    bulk_import.errors = bulk_import.errors + outcome.errors[: max(room, 0)]
    bulk_import.rows_done += len(rows)


def bulk_import_process(
    *, bulk_import_id, time_budget_seconds: float | None = TIME_BUDGET_SECONDS, on_chunk=None
) -> BulkImport:
    """Take chunks of the import until it is finished or the time budget is spent, then queue
    the rest (no budget: to the end). Each chunk commits together with the import's progress,
    under a lock on the import's row, so running twice at once, or again after a worker died,
    neither loses nor repeats a chunk. `on_chunk(bulk_import)` follows each chunk."""
    started = time.monotonic()
    bulk_import = BulkImport.objects.get(pk=bulk_import_id)
    stored = BulkImportFile.objects.filter(bulk_import_id=bulk_import_id).first()
    if bulk_import.status not in BulkImport.UNFINISHED or stored is None:
        return bulk_import
    rows = read_rows(bytes(stored.content), bulk_import.format)
    position, earlier = 0, []
    while True:
        with transaction.atomic():
            locked = (
                BulkImport.objects.select_for_update(skip_locked=True)
                .filter(pk=bulk_import_id, status__in=BulkImport.UNFINISHED)
                .first()
            )
            if locked is None:
                return BulkImport.objects.get(pk=bulk_import_id)
            # Catch up with the import: another worker may have taken chunks meanwhile.
            for row in islice(rows, locked.rows_done - position):
                earlier.append(row)
            position = locked.rows_done
            chunk = list(islice(rows, CHUNK_ROWS))
            needed = _earlier_rows_needed(locked, earlier, chunk) if locked.dry_run else []
            finished = _take_chunk(locked, chunk, needed)
            earlier += chunk if locked.dry_run else []
            position += len(chunk)
            out_of_time = (
                time_budget_seconds is not None and time.monotonic() - started > time_budget_seconds
            )
            if not finished and out_of_time:
                _queue(locked)
        if on_chunk is not None:
            on_chunk(locked)
        if finished or out_of_time:
            return locked


def _take_chunk(bulk_import: BulkImport, chunk: list[Row], replayed: list[Row]) -> bool:
    """Put one chunk and record it on the import; True once the import is finished."""
    if bulk_import.status == BulkImport.Status.PENDING:
        bulk_import.status = BulkImport.Status.RUNNING
        bulk_import.started_at = timezone.now()
    outcome = _run_chunk(bulk_import, chunk, replayed=replayed)
    _record_chunk(bulk_import, chunk, outcome)
    finished = not chunk or bulk_import.rows_done >= bulk_import.rows_total
    if finished:
        bulk_import.status = BulkImport.Status.COMPLETED
        bulk_import.finished_at = timezone.now()
    bulk_import.save()
    if finished:
        BulkImportFile.objects.filter(bulk_import=bulk_import).delete()
        hooks.import_completed.run(bulk_import=bulk_import)
    return finished


def bulk_import_fail(*, bulk_import_id, detail: str) -> None:
    """Stop an import that cannot go on; the chunks already committed stay. Its file goes."""
    with transaction.atomic():
        stopped = BulkImport.objects.filter(
            pk=bulk_import_id, status__in=BulkImport.UNFINISHED
        ).update(status=BulkImport.Status.FAILED, detail=detail, finished_at=timezone.now())
        BulkImportFile.objects.filter(bulk_import_id=bulk_import_id).delete()
        if stopped:
            hooks.import_completed.run(bulk_import=BulkImport.objects.get(pk=bulk_import_id))


def bulk_imports_resume_stalled() -> int:
    """Queue again every unfinished import, of any practice, that has not moved for a while:
    its task was lost (the broker was down when it was queued) or its worker died."""
    stalled_before = timezone.now() - timedelta(seconds=settings.IMPORT_STALLED_AFTER_SECONDS)
    stalled = BulkImport.across_practices_unsafe.filter(
        status__in=BulkImport.UNFINISHED, updated_at__lt=stalled_before
    ).values_list("practice_id", "pk")
    for practice_id, bulk_import_id in stalled:
        enqueue_now_rollback_unsafe(PROCESS_TASK, practice_id, bulk_import_id)
    return len(stalled)
