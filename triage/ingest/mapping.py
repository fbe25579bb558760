"""Column mappings: how an export's columns and value vocabularies become `Ticket` fields."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from triage.errors import MappingError
from triage.schema import ENUM_FIELDS, TICKET_FIELDS

logger = logging.getLogger(__name__)

DATE_FIELDS = frozenset({"created_at", "first_response_at", "resolved_at", "closed_at"})
INT_FIELDS = frozenset({"reopened_count", "csat"})
FLOAT_FIELDS = frozenset({"time_spent_minutes"})
BOOL_FIELDS = frozenset({"escalated"})
TEXT_FIELDS = frozenset({"subject", "body", "cause", "solution"})
UNKNOWN_POLICIES = ("reject", "null", "keep")

_TOP_KEYS = frozenset(
    {
        "name",
        "description",
        "format",
        "encoding",
        "delimiter",
        "timezone",
        "date_format",
        "fields",
        "clean_text",
        "detect_language",
        "near_duplicates",
    }
)
_FIELD_KEYS = frozenset(
    {
        "column",
        "columns",
        "constant",
        "separator",
        "values",
        "unknown",
        "default",
        "format",
        "unescape_newlines",
        "generate",
        "prefix",
        "optional",
    }
)
FORMATS = ("csv", "jsonl", "json", "parquet")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Where one ticket field comes from: column(s) or a constant, plus how to convert the value.

    `optional` fields may be absent from the export (then they stay empty).
    `values` maps raw values (matched case-insensitively, after trimming) onto the field's
    vocabulary; a raw value not in it is handled by `unknown` ("reject" the row with code
    `unknown_value`, "null" to leave the field empty, "keep" the raw value; enum fields cannot
    "keep"). `default` fills an empty cell. `formats` are `strptime` formats for dates.
    """

    target: str
    columns: tuple[str, ...] = ()
    constant: Any = None
    separator: str = "\n\n"
    values: dict[str, Any] | None = None
    unknown: str = "reject"
    default: Any = None
    formats: tuple[str, ...] = ()
    unescape_newlines: bool = False
    generate: str | None = None
    prefix: str = ""
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Mapping:
    """A validated column mapping (see data/mappings/README.md for the YAML format).

    `near_duplicates` is the MinHash Jaccard threshold for near-duplicate flagging (None: off).
    """

    name: str
    fields: dict[str, FieldSpec]
    description: str = ""
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    timezone: str = "UTC"
    date_formats: tuple[str, ...] = ()
    clean_text: bool = True
    detect_language: bool = True
    near_duplicates: float | None = 0.9
    source: str = field(default="", compare=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every source column the mapping reads, in mapping order, without repeats."""
        seen: dict[str, None] = {}
        for spec in self.fields.values():
            seen.update(dict.fromkeys(spec.columns))
        return tuple(seen)

    def check_columns(self, available: Sequence[str]) -> None:
        """Raise `MappingError` naming the first mapped column the export lacks."""
        present = set(available)
        for spec in self.fields.values():
            for column in spec.columns:
                if column not in present and not spec.optional:
                    raise MappingError(_missing_column_message(column, available, self.name))


def _missing_column_message(column: str, available: Sequence[str], name: str) -> str:
    shown = ", ".join(repr(c) for c in list(available)[:40])
    close = difflib.get_close_matches(column, [str(c) for c in available], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"column {column!r} not in the export; columns are: {shown}{hint} "
        f"(fix the mapping {name!r} or pick another one)"
    )


def preset_names() -> list[str]:
    """Names of the mapping presets shipped with `triage` (YAML files in triage/ingest/presets)."""
    folder = resources.files("triage.ingest") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_mapping(spec: str | Path) -> Mapping:
    """A mapping from a preset name ("triage", "hadoop_bugs", ...) or a YAML file path.

    Raises `MappingError` for an unknown preset, a missing or invalid file.
    """
    text, source = _mapping_text(spec)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"{source}: not valid YAML ({exc}); fix the file") from exc
    if not isinstance(raw, dict):
        raise MappingError(f"{source}: a mapping must be a YAML dict with a 'fields' key")
    return parse_mapping(raw, source=source)


def _mapping_text(spec: str | Path) -> tuple[str, str]:
    path = Path(spec)
    names = preset_names()
    if str(spec) in names and path.suffix not in (".yaml", ".yml"):
        preset = resources.files("triage.ingest") / "presets" / f"{spec}.yaml"
        return preset.read_text(encoding="utf-8"), f"preset {spec!r}"
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise MappingError(f"{path}: no such mapping file; pass a preset name or a YAML path")
        return path.read_text(encoding="utf-8"), str(path)
    raise MappingError(
        f"unknown mapping {str(spec)!r}; presets are: {', '.join(names)}, or pass a YAML path"
    )


def parse_mapping(raw: dict[str, Any], source: str = "<dict>") -> Mapping:
    """Validate a mapping dict (as read from YAML) into a `Mapping`; raises `MappingError`."""
    _check_keys(raw, _TOP_KEYS, source)
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, dict) or not fields_raw:
        raise MappingError(f"{source}: 'fields' must map ticket fields to columns")
    fields = {name: _parse_field(name, value, source) for name, value in fields_raw.items()}
    if not ({"subject", "body"} & fields.keys()):
        raise MappingError(f"{source}: map at least one of 'subject' or 'body' (the ticket text)")
    name = str(raw.get("name") or Path(source).stem)
    if "ticket_id" not in fields:
        fields["ticket_id"] = FieldSpec("ticket_id", generate="line", prefix=f"{name}-")
    return Mapping(
        name=name,
        fields=fields,
        description=str(raw.get("description", "")),
        format=_choice(raw.get("format"), (*FORMATS, None), "format", source),
        encoding=raw.get("encoding"),
        delimiter=_delimiter(raw.get("delimiter"), source),
        timezone=_timezone(raw.get("timezone", "UTC"), source),
        date_formats=_formats(raw.get("date_format"), source),
        clean_text=bool(raw.get("clean_text", True)),
        detect_language=bool(raw.get("detect_language", True)),
        near_duplicates=_threshold(raw.get("near_duplicates", 0.9), source),
        source=source,
    )


def _check_keys(raw: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise MappingError(f"{where}: unknown key(s) {unknown}; allowed keys are {sorted(allowed)}")


def _parse_field(name: str, value: Any, source: str) -> FieldSpec:
    where = f"{source}: field {name!r}"
    if name not in TICKET_FIELDS:
        close = difflib.get_close_matches(name, TICKET_FIELDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise MappingError(f"{source}: {name!r} is not a ticket field{hint}")
    if isinstance(value, str):
        value = {"column": value}
    elif isinstance(value, list):
        value = {"columns": value}
    if not isinstance(value, dict):
        raise MappingError(f"{where}: give a column name, a list of columns or a dict")
    _check_keys(value, _FIELD_KEYS, where)
    spec = _field_spec(name, value, where)
    _check_values(spec, where)
    return spec


def _field_spec(name: str, value: dict[str, Any], where: str) -> FieldSpec:
    columns = _columns(value, where)
    generate = value.get("generate")
    if generate is not None and (name != "ticket_id" or generate != "line"):
        raise MappingError(f"{where}: only ticket_id can be generated, with 'generate: line'")
    if not columns and "constant" not in value and generate is None:
        raise MappingError(f"{where}: give 'column', 'columns' or 'constant'")
    values = value.get("values")
    if values is not None and not isinstance(values, dict):
        raise MappingError(f"{where}: 'values' must map raw values to ticket values")
    return FieldSpec(
        target=name,
        columns=columns,
        constant=value.get("constant"),
        separator=str(value.get("separator", "\n\n")),
        values={str(k).strip().casefold(): v for k, v in values.items()} if values else None,
        unknown=_choice(value.get("unknown", "reject"), UNKNOWN_POLICIES, "unknown", where),
        default=value.get("default"),
        formats=_formats(value.get("format"), where),
        unescape_newlines=bool(value.get("unescape_newlines", False)),
        generate=generate,
        prefix=str(value.get("prefix", "")),
        optional=bool(value.get("optional", False)),
    )


def _columns(value: dict[str, Any], where: str) -> tuple[str, ...]:
    if "column" in value and "columns" in value:
        raise MappingError(f"{where}: give 'column' or 'columns', not both")
    raw = value.get("columns", [value["column"]] if "column" in value else [])
    if not isinstance(raw, list) or not all(isinstance(c, str | int) for c in raw):
        raise MappingError(f"{where}: 'columns' must be a list of column names")
    return tuple(str(c) for c in raw)


def _check_values(spec: FieldSpec, where: str) -> None:
    enum_type = ENUM_FIELDS.get(spec.target)
    if enum_type is None:
        return
    if spec.unknown == "keep":
        raise MappingError(f"{where}: 'unknown: keep' is not allowed for an enum; use reject|null")
    targets = [v for v in (spec.values or {}).values() if v is not None]  # null = no value
    targets += [v for v in (spec.constant, spec.default) if v is not None]
    allowed = [str(m.value) for m in enum_type]
    for target in targets:
        if str(target) not in allowed:
            raise MappingError(f"{where}: {target!r} is not one of {allowed}")


def _choice(value: Any, allowed: Sequence[Any], key: str, where: str) -> Any:
    if value not in allowed:
        raise MappingError(f"{where}: {key} {value!r} is not one of {[a for a in allowed if a]}")
    return value


def _delimiter(value: Any, source: str) -> str | None:
    if value in (None, "auto"):
        return None
    value = {"tab": "\t", "\\t": "\t"}.get(value, value)
    if not isinstance(value, str) or len(value) != 1:
        raise MappingError(f"{source}: delimiter must be one character (or 'tab'), not {value!r}")
    return value


def _timezone(value: Any, source: str) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MappingError(
            f"{source}: unknown timezone {value!r}; use an IANA name like 'Europe/Amsterdam'"
        ) from exc
    return str(value)


def _formats(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise MappingError(f"{where}: date format must be a strptime string or a list of them")
    return tuple(items)


def _threshold(value: Any, source: str) -> float | None:
    if value in (None, False):
        return None
    if not isinstance(value, int | float) or not 0.5 <= float(value) <= 1.0:
        raise MappingError(f"{source}: near_duplicates must be a Jaccard in 0.5..1, or null")
    return float(value)
