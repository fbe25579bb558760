"""Streaming readers for ticket exports: CSV (any delimiter/encoding), JSON Lines, JSON, Parquet.

Every reader yields `SourceRow`s with the source line: the physical line where the record starts
for CSV (multi-line quoted fields counted) and JSON, the 1-based row number for Parquet.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import sys
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from triage.errors import DataError

logger = logging.getLogger(__name__)

SAMPLE_BYTES = 1 << 20
CHUNK_CHARS = 1 << 20
MAX_JSON_RECORD_CHARS = 64 << 20
JSONL_COLUMN_SAMPLE = 1000
DELIMITERS = (",", ";", "\t", "|")
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One input record; `values` is None when the record is malformed (`problem` says why)."""

    line: int
    values: dict[str, Any] | None
    raw: Any
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What was detected about an input file."""

    path: Path
    format: str
    encoding: str | None
    delimiter: str | None
    columns: list[str]


def check_file(path: Path) -> None:
    """Raise `DataError` for a missing, unreadable or empty file."""
    if not path.exists():
        raise DataError(f"{path}: no such file; check the path")
    if not path.is_file():
        raise DataError(f"{path}: is not a file; pass the export file itself")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: empty file (0 bytes); export the tickets again")


def detect_format(path: Path, declared: str | None = None) -> str:
    """ "csv", "jsonl", "json" or "parquet", from the mapping, the suffix or the first bytes."""
    if declared:
        return declared
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PAR1"):
        return "parquet"
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind == "json" or (kind is None and head.lstrip()[:1] in (b"[", b"{")):
        return "json" if head.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:1] == b"[" else "jsonl"
    if kind is None:
        raise DataError(
            f"{path}: unknown format {path.suffix or '(no suffix)'!r}; export as CSV, JSON Lines, "
            "JSON or Parquet, or set 'format:' in the mapping"
        )
    return kind


def detect_encoding(path: Path) -> str:
    """Encoding of a text file: its BOM, UTF-8 if the first MiB decodes, else charset-normalizer."""
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < SAMPLE_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        raise DataError(
            f"{path}: cannot tell the text encoding (binary file?); set 'encoding:' in the mapping"
        )
    # Small samples fit many single-byte code pages; Western European exports are cp1252
    plausible = {name for match in matches for name in match.could_be_from_charset}
    encoding = "cp1252" if "cp1252" in plausible else str(best.encoding)
    logger.info("%s: detected encoding %s", path, encoding)
    return encoding


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of , ; tab | in the header line (comma when none occurs)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_source(
    path: Path,
    *,
    format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> tuple[SourceInfo, Iterator[SourceRow]]:
    """Detect the file's format (and encoding, delimiter), read its columns, and stream its rows.

    Raises `DataError` for a missing, empty, undecodable or unknown-format file.
    """
    check_file(path)
    kind = detect_format(path, format)
    if kind == "parquet":
        return _open_parquet(path)
    encoding = encoding or detect_encoding(path)
    _check_codec(encoding, path)
    if kind == "csv":
        return _open_csv(path, encoding, delimiter)
    return _open_json(path, encoding, kind)


def _check_codec(encoding: str, path: Path) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise DataError(f"{path}: unknown encoding {encoding!r}; use e.g. utf-8 or cp1252") from exc


def _decode_error(path: Path, encoding: str, line: int, exc: UnicodeDecodeError) -> DataError:
    return DataError(
        f"{path}: not valid {encoding} near line {line} ({exc.reason}); the file has another "
        "encoding: set 'encoding:' in the mapping (e.g. cp1252 or utf-8)"
    )


def _text_lines(path: Path, encoding: str) -> Generator[str, None, None]:
    """Decoded physical lines (line ends kept); a decoding error names its line."""
    if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
        yield from _wide_text_lines(path, encoding)
        return
    decoder = codecs.getdecoder(encoding)
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                yield decoder(raw)[0]
            except UnicodeDecodeError as exc:
                raise _decode_error(path, encoding, number, exc) from exc


def _wide_text_lines(path: Path, encoding: str) -> Iterator[str]:
    with path.open(encoding=encoding, newline="") as fh:
        try:
            yield from fh
        except UnicodeDecodeError as exc:
            raise _decode_error(path, encoding, 0, exc) from exc


def _open_csv(
    path: Path, encoding: str, delimiter: str | None
) -> tuple[SourceInfo, Iterator[SourceRow]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    lines = _text_lines(path, encoding)
    first = next(lines, "")
    lines.close()
    if encoding == "utf-8-sig" or first.startswith("\ufeff"):
        first = first.lstrip("\ufeff")
    delimiter = delimiter or sniff_delimiter(first)
    header = _unique([h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])])
    if not any(header):
        raise DataError(f"{path}: the first line holds no column names; add a header row")
    info = SourceInfo(path, "csv", encoding, delimiter, header)
    return info, _csv_rows(path, encoding, delimiter, header)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}.{count}")
    return out


def _csv_rows(path: Path, encoding: str, delimiter: str, header: list[str]) -> Iterator[SourceRow]:
    width = len(header)
    lines = _text_lines(path, encoding)
    reader = csv.reader(lines, delimiter=delimiter)
    previous = 0
    try:
        next(reader)
        previous = reader.line_num
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if fields:
                yield _csv_row(start, previous, fields, header, width)
    except csv.Error as exc:
        message = f"{path}: line {previous + 1}: unreadable CSV ({exc}); fix the file"
        raise DataError(message) from exc
    finally:
        lines.close()


def _csv_row(start: int, end: int, fields: list[str], header: list[str], width: int) -> SourceRow:
    if len(fields) == width:
        return SourceRow(start, dict(zip(header, fields, strict=True)), fields)
    span = f"lines {start}-{end}" if end > start else f"line {start}"
    problem = f"expected {width} fields, found {len(fields)} ({span}; an unbalanced quote?)"
    return SourceRow(start, None, fields, problem)


def _open_parquet(path: Path) -> tuple[SourceInfo, Iterator[SourceRow]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: not a readable Parquet file ({exc}); export it again") from exc
    info = SourceInfo(path, "parquet", None, None, list(file.schema_arrow.names))
    return info, _parquet_rows(file)


def _parquet_rows(file: Any) -> Iterator[SourceRow]:
    line = 0
    for batch in file.iter_batches(batch_size=10_000):
        for values in batch.to_pylist():
            line += 1
            yield SourceRow(line, values, values)


def _open_json(path: Path, encoding: str, kind: str) -> tuple[SourceInfo, Iterator[SourceRow]]:
    records = _jsonl_records(path, encoding) if kind == "jsonl" else _array_records(path, encoding)
    head: list[SourceRow] = []
    for row in records:
        head.append(row)
        if len(head) >= JSONL_COLUMN_SAMPLE:
            break
    if not head:
        raise DataError(f"{path}: holds no records; export the tickets again")
    columns: dict[str, None] = {}
    for row in head:
        columns.update(dict.fromkeys(row.values or {}))
    info = SourceInfo(path, kind, encoding, None, list(columns))
    return info, _chain(head, records)


def _chain(head: list[SourceRow], rest: Iterator[SourceRow]) -> Iterator[SourceRow]:
    yield from head
    yield from rest


def _record(line: int, obj: Any, raw: Any) -> SourceRow:
    if isinstance(obj, dict):
        return SourceRow(line, obj, obj)
    return SourceRow(line, None, raw, f"record is a JSON {type(obj).__name__}, not an object")


def _jsonl_records(path: Path, encoding: str) -> Iterator[SourceRow]:
    lines = _text_lines(path, encoding)
    try:
        for line, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                yield _record(line, json.loads(text), text.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                yield SourceRow(line, None, text.rstrip("\r\n"), f"invalid JSON ({exc.msg})")
    finally:
        lines.close()


class _ArrayStream:
    """Incremental reader of a top-level JSON array of objects (constant memory per record)."""

    def __init__(self, fh: TextIO, path: Path) -> None:
        self.fh, self.path = fh, path
        self.buf, self.pos, self.line, self.eof = "", 0, 1, False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(CHUNK_CHARS)
        self.eof = not chunk
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        if len(self.buf) > MAX_JSON_RECORD_CHARS:
            raise DataError(f"{self.path}: line {self.line}: a JSON record over 64 MiB; split it")
        return bool(chunk)

    def _skip(self, chars: str) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in chars:
                self.line += self.buf[self.pos] == "\n"
                self.pos += 1
            if self.pos < len(self.buf) or not self._more():
                return self.buf[self.pos : self.pos + 1]

    def records(self) -> Iterator[tuple[int, Any]]:
        if self._skip(" \t\r\n\ufeff") != "[":
            raise DataError(f"{self.path}: a .json file must hold an array of ticket objects")
        self.pos += 1
        while (nxt := self._skip(" \t\r\n,")) not in ("]", ""):
            obj, end = self._decode()
            yield self.line, obj
            self.line += self.buf.count("\n", self.pos, end)
            self.pos = end
        if nxt == "":
            raise DataError(f"{self.path}: line {self.line}: the JSON array is not closed (cut?)")

    def _decode(self) -> tuple[Any, int]:
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
                if end < len(self.buf) or self.eof:
                    return obj, end
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise DataError(
                        f"{self.path}: line {self.line}: invalid JSON ({exc.msg}); fix the file"
                    ) from exc
            self._more()


def _array_records(path: Path, encoding: str) -> Iterator[SourceRow]:
    with path.open(encoding=encoding) as fh:
        stream = _ArrayStream(fh, path)
        try:
            for line, obj in stream.records():
                yield _record(line, obj, obj)
        except UnicodeDecodeError as exc:
            raise _decode_error(path, encoding, stream.line, exc) from exc
