"""Ingestion end to end: read an export through a mapping, validate every row, flag duplicates."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.dataset import TICKET_SCHEMA, TICKETS_FILE
from triage.errors import DataError, RowRejected
from triage.ingest.dedup import DuplicateFinder
from triage.ingest.mapping import Mapping
from triage.ingest.readers import SourceRow, open_source
from triage.ingest.report import IngestReport
from triage.ingest.rows import RowConverter
from triage.privacy.guard import TicketPrivacy
from triage.schema import TICKET_FIELDS, Ticket

logger = logging.getLogger(__name__)

REJECTS_FILE = "rejects.jsonl"
REPORT_FILE = "import_report.json"
WRITE_BATCH = 10_000
PROGRESS_EVERY = 1_000
MAX_LISTED = 1_000

Progress = Callable[[int], None]
_ENUM_NAMES = ("channel", "priority", "impact", "urgency", "support_line", "status")


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Accepted tickets (in file order) and the report on every row."""

    tickets: list[Ticket]
    report: IngestReport


@dataclass(frozen=True, slots=True)
class Outcome:
    """One source row and what became of it: a ticket or a rejection."""

    row: SourceRow
    ticket: Ticket | None
    rejection: RowRejected | None


def iter_outcomes(
    path: Path,
    mapping: Mapping,
    report: IngestReport,
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> Iterator[Outcome]:
    """Stream the file's rows as outcomes, updating `report` as it goes.

    Raises `DataError` / `MappingError` before the first row for unusable input, and
    `RowRejected` at the first bad row when `strict`.
    """
    info, rows = open_source(
        path, format=mapping.format, encoding=mapping.encoding, delimiter=mapping.delimiter
    )
    mapping.check_columns(info.columns)
    report.format, report.encoding, report.delimiter = info.format, info.encoding, info.delimiter
    # JSON columns come from a sample of the first records: a field first seen later must still
    # be read, so only tabular formats (whose header is complete) skip absent optional fields.
    complete = info.format not in ("json", "jsonl")
    converter = RowConverter(mapping, info.columns if complete else None)
    finder = DuplicateFinder(mapping.near_duplicates)
    report.near_checked = mapping.near_duplicates is not None
    seen_ids: set[str] = set()
    pending = 0
    for row in rows:
        outcome = _process(row, converter, finder, seen_ids, report)
        if strict and outcome.rejection is not None:
            raise _strict_error(outcome.rejection)
        yield outcome
        pending += 1
        if progress is not None and pending >= PROGRESS_EVERY:
            progress(pending)
            pending = 0
    if progress is not None and pending:
        progress(pending)
    if report.read == 0:
        raise DataError(f"{path}: holds column names but no rows; export the tickets again")
    logger.info("%s: %s", path, report.summary())


def _process(
    row: SourceRow,
    converter: RowConverter,
    finder: DuplicateFinder,
    seen_ids: set[str],
    report: IngestReport,
) -> Outcome:
    try:
        ticket = converter.convert(row)
        if ticket.ticket_id in seen_ids:
            raise RowRejected(
                row.line,
                "duplicate_id",
                f"ticket id {ticket.ticket_id!r} appears earlier",
                "ticket_id",
            )
    except RowRejected as exc:
        report.add_rejection(exc)
        return Outcome(row, None, exc)
    seen_ids.add(ticket.ticket_id)
    report.add_accepted(finder.check(ticket.ticket_id, ticket.text, row.line))
    report.languages_detected += int(converter.last_detected)
    return Outcome(row, ticket, None)


def _strict_error(exc: RowRejected) -> RowRejected:
    return RowRejected(
        exc.line,
        exc.code,
        f"{exc.reason} (code {exc.code}; --strict stops at the first bad row)",
        exc.field,
    )


def read_tickets(
    path: Path, mapping: Mapping, *, strict: bool = False, progress: Progress | None = None
) -> IngestResult:
    """Read and validate a whole export into memory (for files that fit; else `import_file`).

    Every row is either a ticket in `.tickets` or an error in `.report.errors`.
    """
    report = IngestReport(source=str(path), mapping=mapping.name)
    tickets = [
        o.ticket
        for o in iter_outcomes(Path(path), mapping, report, strict=strict, progress=progress)
        if o.ticket is not None
    ]
    return IngestResult(tickets, report)


def validate_file(
    path: Path, mapping: Mapping, *, strict: bool = False, progress: Progress | None = None
) -> IngestReport:
    """Check every row of an export without keeping tickets (streams files of any size).

    Counts are complete; the report lists the first `MAX_LISTED` errors and duplicate pairs.
    """
    report = IngestReport(source=str(path), mapping=mapping.name, max_listed=MAX_LISTED)
    for _ in iter_outcomes(Path(path), mapping, report, strict=strict, progress=progress):
        pass
    return report


def import_file(
    path: Path,
    mapping: Mapping,
    out_dir: Path,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    privacy: TicketPrivacy | None = None,
) -> IngestReport:
    """Stream an export into `out_dir`: tickets.parquet, rejects.jsonl and import_report.json.

    With `privacy`, accepted tickets are written redacted (requesters pseudonymised) and
    rejected rows without their raw record, so the dataset can leave the ticket system.

    Memory stays bounded by `WRITE_BATCH` tickets plus the duplicate hashes. Files are written
    under temporary names and renamed at the end, so a failed import leaves no partial dataset
    (nor a folder it made).
    """
    out_dir = Path(out_dir)
    made = [p for p in (out_dir, *out_dir.parents) if not p.exists()]
    out_dir.mkdir(parents=True, exist_ok=True)
    report = IngestReport(source=str(path), mapping=mapping.name, max_listed=MAX_LISTED)
    final = {name: out_dir / name for name in (TICKETS_FILE, REJECTS_FILE, REPORT_FILE)}
    temp = {name: p.with_name(f".{p.name}.tmp") for name, p in final.items()}
    try:
        outcomes = iter_outcomes(Path(path), mapping, report, strict=strict, progress=progress)
        _write_outcomes(outcomes, temp[TICKETS_FILE], temp[REJECTS_FILE], privacy)
        temp[REPORT_FILE].write_text(json.dumps(report.to_dict(), indent=2, default=str) + "\n")
        for name in final:
            os.replace(temp[name], final[name])
        made = []  # written: the folders stay
    finally:
        for tmp in temp.values():
            tmp.unlink(missing_ok=True)
        _remove_empty(made)  # a failed import leaves no folder it made behind
    return report


def _remove_empty(folders: list[Path]) -> None:
    """Remove `folders` (innermost first) while each is empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _write_outcomes(
    outcomes: Iterator[Outcome],
    tickets_path: Path,
    rejects_path: Path,
    privacy: TicketPrivacy | None = None,
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    batch: list[dict[str, Any]] = []
    with (
        pq.ParquetWriter(tickets_path, TICKET_SCHEMA, compression="zstd") as writer,
        rejects_path.open("w", encoding="utf-8") as rejects,
    ):
        for outcome in outcomes:
            if outcome.ticket is not None:
                ticket = privacy.ticket(outcome.ticket) if privacy else outcome.ticket
                batch.append(_row(ticket))
                if len(batch) >= WRITE_BATCH:
                    writer.write_table(pa.Table.from_pylist(batch, schema=TICKET_SCHEMA))
                    batch = []
            elif outcome.rejection is not None:
                rejects.write(_reject_line(outcome, privacy) + "\n")
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=TICKET_SCHEMA))


def _row(ticket: Ticket) -> dict[str, Any]:
    """`Ticket.to_dict()` without the per-call `dataclasses.fields` lookup (hot loop)."""
    row = {name: getattr(ticket, name) for name in TICKET_FIELDS}
    for name in _ENUM_NAMES:
        value = row[name]
        if value is not None:
            row[name] = int(value) if name == "support_line" else value.value
    return row


def _reject_line(outcome: Outcome, privacy: TicketPrivacy | None = None) -> str:
    exc = outcome.rejection
    assert exc is not None
    # Redacting: the raw record is left out (a requester column holding a bare name cannot be
    # told from other text); its line number finds it in the export the user already holds.
    raw = None if privacy is not None else outcome.row.raw
    record = {
        "line": exc.line,
        "code": exc.code,
        "field": exc.field,
        "reason": privacy.text(exc.reason) if privacy is not None else exc.reason,
        "raw": raw,
    }
    return json.dumps(record, ensure_ascii=False, default=str)
