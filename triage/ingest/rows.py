"""Row conversion: one source record through a mapping into a validated `Ticket`, or a rejection."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from triage.errors import RowRejected, TicketValueError
from triage.ingest.mapping import (
    BOOL_FIELDS,
    DATE_FIELDS,
    FLOAT_FIELDS,
    INT_FIELDS,
    TEXT_FIELDS,
    FieldSpec,
    Mapping,
)
from triage.ingest.readers import SourceRow
from triage.schema import ENUM_FIELDS, Ticket
from triage.text import clean_text, detect_language

logger = logging.getLogger(__name__)

CODES: dict[str, str] = {
    "malformed_row": "the record cannot be parsed (wrong field count, invalid JSON)",
    "missing_id": "the id column is empty",
    "duplicate_id": "the ticket id was already seen in this file",
    "missing_text": "subject and body are both empty",
    "bad_date": "a date does not match the mapping's format",
    "bad_number": "a number field holds no number",
    "bad_value": "a yes/no field holds neither, or a text or id field holds a structured value "
    "(an object, a list, true/false, bytes)",
    "unknown_value": "a value is not in the mapping's vocabulary",
    "invalid_value": "the ticket model refuses a value (e.g. resolved before created, csat 7)",
}
"""Machine-readable rejection codes and what they mean."""

_TRUE = frozenset({"true", "yes", "y", "1", "ja", "j", "waar", "x"})
_FALSE = frozenset({"false", "no", "n", "0", "nee", "onwaar", ""})
_Convert = Callable[[Any, int], Any]


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if isinstance(value, list):
        return not value
    return isinstance(value, str) and not value.strip()


def _refuse_structured(raw: Any, name: str, line: int) -> None:
    """`bad_value` for a value that is no text where text (or an id) belongs: `str()` made a
    ticket of "{'x': 1}", "b'\\xff'" or "True" (a JSON or Parquet export's nested or binary
    column). A list is text parts (several columns, a JSON array of strings), not an id."""
    parts = raw if isinstance(raw, list) and name != "ticket_id" else [raw]
    for part in parts:
        if isinstance(part, dict | bytes | bytearray | bool | list):
            kind = "true/false" if isinstance(part, bool) else type(part).__name__
            raise RowRejected(line, "bad_value", f"{name} holds a {kind}, not text", name)


def _in_use(spec: FieldSpec, present: set[str] | None) -> bool:
    """False for an optional field whose columns are all absent and that has no default."""
    if present is None or not spec.columns or spec.default is not None:
        return True
    return any(column in present for column in spec.columns)


class RowConverter:
    """Turns `SourceRow`s into `Ticket`s with one compiled converter per mapped field.

    Given the export's `columns`, optional fields absent from it are skipped up front.

    `convert` raises `RowRejected` with a code from `CODES`; it does not track duplicates.
    """

    def __init__(self, mapping: Mapping, columns: Sequence[str] | None = None) -> None:
        self.mapping = mapping
        self._tz = ZoneInfo(mapping.timezone)
        present = None if columns is None else set(columns)
        self._fields = [
            (name, spec, self._converter(spec))
            for name, spec in mapping.fields.items()
            if name != "ticket_id" and _in_use(spec, present)
        ]
        self._id_spec = mapping.fields["ticket_id"]
        self.last_detected = False
        """Whether the last converted row's language was detected (the mapping gave none)."""

    def convert(self, row: SourceRow) -> Ticket:
        """A validated ticket from one source record; raises `RowRejected`."""
        if row.values is None:
            raise RowRejected(row.line, "malformed_row", row.problem or "malformed record")
        self.last_detected = False
        values: dict[str, Any] = {"ticket_id": self._ticket_id(row)}
        for name, spec, convert in self._fields:
            raw = self._raw(spec, row.values)
            if name not in BOOL_FIELDS and not _is_empty(raw):
                _refuse_structured(raw, name, row.line)
            value = convert(raw, row.line) if not _is_empty(raw) else self._default(spec, row.line)
            if value is not None:
                values[name] = value
        self._fill_text(values, row.line)
        try:
            return Ticket(**values)
        except TicketValueError as exc:
            raise RowRejected(row.line, "invalid_value", str(exc), exc.field) from exc

    def _ticket_id(self, row: SourceRow) -> str:
        spec = self._id_spec
        if spec.generate == "line":
            return f"{spec.prefix}{row.line}"
        raw = self._raw(spec, row.values or {})
        if _is_empty(raw):
            columns = ", ".join(repr(c) for c in spec.columns)
            raise RowRejected(row.line, "missing_id", f"id column {columns} is empty", "ticket_id")
        _refuse_structured(raw, "ticket_id", row.line)
        text = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        return f"{spec.prefix}{text}"

    def _raw(self, spec: FieldSpec, values: dict[str, Any]) -> Any:
        if not spec.columns:
            return spec.constant
        if len(spec.columns) == 1:
            return values.get(spec.columns[0])
        parts = [str(v) for c in spec.columns if not _is_empty(v := values.get(c))]
        # text parts are cleaned one by one (a signature cut must not drop the next column)
        return parts if spec.target in TEXT_FIELDS else spec.separator.join(parts)

    def _default(self, spec: FieldSpec, line: int) -> Any:
        if spec.default is None:
            return None
        return self._converter(spec)(spec.default, line)

    def _fill_text(self, values: dict[str, Any], line: int) -> None:
        if not (values.get("subject") or values.get("body")):
            raise RowRejected(line, "missing_text", "subject and body are both empty", "body")
        if "language" not in values and self.mapping.detect_language:
            language = detect_language(f"{values.get('subject', '')}\n{values.get('body', '')}")
            if language is not None:
                values["language"] = language
                self.last_detected = True

    def _converter(self, spec: FieldSpec) -> _Convert:
        name = spec.target
        if name in DATE_FIELDS:
            base: _Convert = self._date(spec)
        elif name in TEXT_FIELDS:
            base = self._text(spec)
        elif name in INT_FIELDS or name in FLOAT_FIELDS:
            base = _number(name, int if name in INT_FIELDS else float)
        elif name in BOOL_FIELDS:
            base = _boolean(name)
        else:
            base = _string(name)
        if spec.values is not None:
            return _vocabulary(spec, base)
        if name in ENUM_FIELDS:
            return _enum(name, ENUM_FIELDS[name])
        return base

    def _text(self, spec: FieldSpec) -> _Convert:
        clean = self.mapping.clean_text

        def one(raw: Any) -> str:
            text = str(raw)
            if spec.unescape_newlines:
                text = text.replace("\\r\\n", "\n").replace("\\n", "\n")
            return clean_text(text) if clean else text.strip()

        def convert(raw: Any, line: int) -> str | None:
            if isinstance(raw, list):
                return spec.separator.join(p for p in map(one, raw) if p) or None
            return one(raw) or None

        return convert

    def _date(self, spec: FieldSpec) -> _Convert:
        formats = spec.formats or self.mapping.date_formats
        tz = self._tz

        def convert(raw: Any, line: int) -> datetime:
            value = _parse_datetime(raw, formats)
            if value is None:
                shown = ", ".join(formats) or "ISO 8601"
                raise RowRejected(
                    line, "bad_date", f"{spec.target}: {raw!r} does not match {shown}", spec.target
                )
            aware = value.replace(tzinfo=tz) if value.tzinfo is None else value
            return aware.astimezone(UTC)

        return convert


def _parse_datetime(raw: Any, formats: tuple[str, ...]) -> datetime | None:
    if isinstance(raw, datetime):
        return raw
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day)
    text = str(raw).strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    if formats:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _string(name: str) -> _Convert:
    def convert(raw: Any, line: int) -> str | None:
        return str(raw).strip() or None

    return convert


def _number(name: str, kind: type) -> _Convert:
    def convert(raw: Any, line: int) -> int | float:
        text = str(raw).strip().replace(",", ".") if isinstance(raw, str) else raw
        try:
            value = float(text)
            if kind is int and not value.is_integer():
                raise ValueError
            return int(value) if kind is int else value
        except (TypeError, ValueError):
            what = "a whole number" if kind is int else "a number"
            raise RowRejected(line, "bad_number", f"{name}: {raw!r} is not {what}", name) from None

    return convert


def _boolean(name: str) -> _Convert:
    def convert(raw: Any, line: int) -> bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().casefold()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise RowRejected(line, "bad_value", f"{name}: {raw!r} is not yes/no", name)

    return convert


def _enum(name: str, enum_type: type[enum.Enum]) -> _Convert:
    lookup: dict[str, Any] = {}
    for member in enum_type:
        lookup[str(member.value).casefold()] = member
        lookup[member.name.casefold()] = member

    def convert(raw: Any, line: int) -> Any:
        member = lookup.get(str(raw).strip().casefold())
        if member is None:
            allowed = sorted({str(m.value) for m in lookup.values()})
            raise RowRejected(
                line,
                "unknown_value",
                f"{name}: {raw!r} is not one of {allowed}; add it to the mapping's 'values'",
                name,
            )
        return member

    return convert


def _vocabulary(spec: FieldSpec, base: _Convert) -> _Convert:
    values = spec.values or {}
    enum_type = ENUM_FIELDS.get(spec.target)
    final = _enum(spec.target, enum_type) if enum_type else base

    def convert(raw: Any, line: int) -> Any:
        key = str(raw).strip().casefold()
        if key in values:
            mapped = values[key]
            return None if mapped is None else final(mapped, line)
        if spec.unknown == "null":
            return None
        if spec.unknown == "keep":
            return base(raw, line)
        shown = ", ".join(repr(k) for k in list(values)[:20])
        raise RowRejected(
            line,
            "unknown_value",
            f"{spec.target}: {raw!r} is not in the mapping's values ({shown}); add it or set "
            "'unknown: null'",
            spec.target,
        )

    return convert
