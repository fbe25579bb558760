"""The normalised dataset format: Parquet files whose columns are the domain model's fields.

`tickets.parquet` holds one row per `Ticket` (columns `TICKET_FIELDS`, in that order) and
`kb_articles.parquet` one row per `KBArticle`. Enums are stored as their values (priority "P2",
support line 2, channel "email"), timestamps as UTC. This is what `triage data import` and
`triage data generate` write and what training and indexing read.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from triage.errors import DataError, TicketValueError
from triage.schema import ARTICLE_FIELDS, ENUM_FIELDS, TICKET_FIELDS, KBArticle, Ticket

TICKETS_FILE = "tickets.parquet"
ARTICLES_FILE = "kb_articles.parquet"

_TS = pa.timestamp("us", tz="UTC")
TICKET_SCHEMA = pa.schema(
    [
        ("ticket_id", pa.string()),
        ("subject", pa.string()),
        ("body", pa.string()),
        ("created_at", _TS),
        ("language", pa.string()),
        ("channel", pa.string()),
        ("requester", pa.string()),
        ("category", pa.string()),
        ("subcategory", pa.string()),
        ("priority", pa.string()),
        ("impact", pa.string()),
        ("urgency", pa.string()),
        ("support_line", pa.int8()),
        ("assignment_group", pa.string()),
        ("status", pa.string()),
        ("cause", pa.string()),
        ("solution", pa.string()),
        ("time_spent_minutes", pa.float64()),
        ("first_response_at", _TS),
        ("resolved_at", _TS),
        ("closed_at", _TS),
        ("reopened_count", pa.int32()),
        ("escalated", pa.bool_()),
        ("csat", pa.int8()),
        ("kb_article_id", pa.string()),
    ]
)
ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("title", pa.string()),
        ("body", pa.string()),
        ("category", pa.string()),
        ("language", pa.string()),
        ("updated_at", _TS),
    ]
)
assert tuple(TICKET_SCHEMA.names) == TICKET_FIELDS
assert tuple(ARTICLE_SCHEMA.names) == ARTICLE_FIELDS


def tickets_to_table(tickets: Iterable[Ticket]) -> pa.Table:
    """Arrow table with `TICKET_SCHEMA` from tickets."""
    return pa.Table.from_pylist([t.to_dict() for t in tickets], schema=TICKET_SCHEMA)


def articles_to_table(articles: Iterable[KBArticle]) -> pa.Table:
    """Arrow table with `ARTICLE_SCHEMA` from articles."""
    return pa.Table.from_pylist([a.to_dict() for a in articles], schema=ARTICLE_SCHEMA)


def ticket_from_row(row: dict[str, Any]) -> Ticket:
    """A `Ticket` from one normalised row (plain values); raises `TicketValueError`."""
    values: dict[str, Any] = {}
    for name in TICKET_FIELDS:
        value = row.get(name)
        if value is None or (isinstance(value, float) and value != value):
            continue
        if name in ENUM_FIELDS:
            try:
                value = ENUM_FIELDS[name](value)
            except ValueError as exc:
                raise TicketValueError(name, f"unknown value {value!r}") from exc
        values[name] = value
    values.setdefault("subject", "")
    values.setdefault("body", "")
    return Ticket(**values)


def article_from_row(row: dict[str, Any]) -> KBArticle:
    """A `KBArticle` from one normalised row."""
    values = {k: row[k] for k in ARTICLE_FIELDS if row.get(k) is not None}
    values.setdefault("title", "")
    values.setdefault("body", "")
    return KBArticle(**values)


def write_table(table: pa.Table, path: Path) -> Path:
    """Write a table to Parquet atomically (temp file + rename): no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_tickets(tickets: Iterable[Ticket], path: Path) -> Path:
    """Write tickets to a normalised Parquet file."""
    return write_table(tickets_to_table(tickets), path)


def write_articles(articles: Iterable[KBArticle], path: Path) -> Path:
    """Write KB articles to a normalised Parquet file."""
    return write_table(articles_to_table(articles), path)


def not_articles_file(path: Path) -> str | None:
    """Why `path` is not a KB articles Parquet file `write_articles` wrote (so must not be
    overwritten by one), or None when it is."""
    return _not_parquet_with(path, "article_id", "KB articles")


def not_tickets_file(path: Path) -> str | None:
    """Why `path` is not a tickets Parquet file `write_tickets` wrote (so must not be
    overwritten by one), or None when it is."""
    return _not_parquet_with(path, "ticket_id", "tickets")


def _not_parquet_with(path: Path, column: str, what: str) -> str | None:
    try:
        names = pq.read_schema(path).names
    except (OSError, pa.ArrowException):
        return "is not a Parquet file"
    return None if column in names else f"is a Parquet file of something else than {what}"


def _open(path: Path, schema: pa.Schema) -> pq.ParquetFile:
    if not path.is_file():
        raise DataError(f"{path}: no such file; run `triage data import` or `triage data generate`")
    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc
    missing = set(schema.names) - set(file.schema_arrow.names)
    if missing:
        raise DataError(f"{path}: not a normalised triage dataset, missing {sorted(missing)}")
    for name in schema.names:
        have, want = file.schema_arrow.field(name).type, schema.field(name).type
        if not _same_family(have, want):
            raise DataError(
                f"{path}: column {name} has type {have}, a normalised dataset has {want}; "
                "convert it, or import the export with `triage data import`"
            )
    return file


def _same_family(have: pa.DataType, want: pa.DataType) -> bool:
    """True when a column of type `have` reads as `want` without guessing: the same type, all
    nulls, or another width of the same kind (int32 for int64, large_string for string)."""
    if have == want or pa.types.is_null(have):
        return True
    kinds = (
        pa.types.is_integer,
        pa.types.is_floating,
        lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
        pa.types.is_timestamp,
        pa.types.is_boolean,
    )
    return any(kind(have) and kind(want) for kind in kinds)


def read_table(path: Path, kind: str = "tickets") -> pa.Table:
    """Read a normalised dataset as an Arrow table (`kind` is "tickets" or "articles")."""
    schema = TICKET_SCHEMA if kind == "tickets" else ARTICLE_SCHEMA
    return _open(path, schema).read(columns=list(schema.names)).cast(schema)


def iter_tickets(path: Path, batch_size: int = 10_000) -> Iterator[Ticket]:
    """Stream tickets from a normalised Parquet file without reading it whole."""
    file = _open(path, TICKET_SCHEMA)
    number = 0
    for batch in file.iter_batches(batch_size=batch_size, columns=list(TICKET_FIELDS)):
        for row in batch.to_pylist():
            number += 1
            try:
                yield ticket_from_row(row)
            except (TicketValueError, TypeError, ValueError) as exc:
                raise DataError(
                    f"{path}: row {number} (ticket {row.get('ticket_id')!r}): {exc}; fix the "
                    "row, or import the export with `triage data import`, which reports such "
                    "rows instead of stopping"
                ) from None


def read_tickets(path: Path) -> list[Ticket]:
    """All tickets of a normalised Parquet file."""
    return list(iter_tickets(path))


def read_articles(path: Path) -> list[KBArticle]:
    """All KB articles of a normalised Parquet file."""
    return [article_from_row(r) for r in read_table(path, "articles").to_pylist()]


def as_utc(value: datetime) -> datetime:
    """Aware UTC datetime; naive values are taken to be UTC already."""
    from datetime import UTC

    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
