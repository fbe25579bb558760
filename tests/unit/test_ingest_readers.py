"""Readers: CSV (delimiters, encodings, BOM, multi-line fields), JSON Lines, JSON, Parquet."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from triage.errors import DataError
from triage.ingest import load_mapping, read_tickets
from triage.ingest.readers import open_source

ROWS = [
    {
        "ticket_id": "A1",
        "subject": "Wachtwoord verlopen",
        "body": "Ik kan niet meer inloggen op mijn laptop",
        "priority": "P3",
        "category": "Account",
    },
    {
        "ticket_id": "A2",
        "subject": "Printer kapot",
        "body": "De printer op de tweede verdieping is stuk",
        "priority": "P4",
        "category": "Printen",
    },
    {
        "ticket_id": "A3",
        "subject": "Müller: Zugang gesperrt",
        "body": "Mein Konto ist gesperrt, bitte entsperren",
        "priority": "P2",
        "category": "Account",
    },
]
COLUMNS = list(ROWS[0])


def _csv_text(delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(ROWS)
    return buffer.getvalue()


def _read(path: Path) -> list[dict[str, object]]:
    result = read_tickets(path, load_mapping("triage"))
    assert result.report.read == result.report.accepted == len(ROWS)
    return [t.to_dict() for t in result.tickets]


def _check(tickets: list[dict[str, object]]) -> None:
    for ticket, row in zip(tickets, ROWS, strict=True):
        for column in COLUMNS:
            assert ticket[column] == row[column]


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_ingest_reads_csv_with_any_delimiter(tmp_path: Path, delimiter: str, name: str) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text(_csv_text(delimiter), encoding="utf-8")
    info, _ = open_source(path)
    assert info.delimiter == delimiter
    _check(_read(path))


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8", "utf-16"])
def test_ingest_reads_csv_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(_csv_text(";").encode(encoding))
    info, _ = open_source(path)
    assert info.columns == COLUMNS  # a BOM never leaks into the first column name
    _check(_read(path))


def test_ingest_detects_cp1252_and_keeps_accents(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(_csv_text(",").encode("cp1252"))
    info, _ = open_source(path)
    assert info.encoding == "cp1252"
    assert _read(path)[2]["subject"] == "Müller: Zugang gesperrt"


def test_ingest_reads_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in ROWS]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    _check(_read(path))


def test_ingest_reads_json_array_streaming(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("triage.ingest.readers.CHUNK_CHARS", 7)  # records span many chunks
    path = tmp_path / "export.json"
    path.write_text(json.dumps(ROWS, indent=2, ensure_ascii=False), encoding="utf-8")
    _check(_read(path))


def test_ingest_json_array_reports_object_start_line(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(ROWS, indent=2), encoding="utf-8")
    _, rows = open_source(path)
    lines = [row.line for row in rows]
    assert lines == [2, 9, 16]  # json.dumps(indent=2): 7 lines per object, "[" on line 1


def test_ingest_reads_parquet(tmp_path: Path) -> None:
    path = tmp_path / "export.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), path)
    _check(_read(path))


def test_ingest_csv_lines_count_multiline_fields(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text(
        'ticket_id,subject,body\nA1,one,"line a\nline b\nline c"\nA2,two,body\n\nA3,three,"x\ny"\n',
        encoding="utf-8",
    )
    _, rows = open_source(path)
    assert [row.line for row in rows] == [2, 5, 7]


def test_ingest_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_tickets(tmp_path / "nope.csv", load_mapping("triage"))


def test_ingest_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(DataError, match="empty file"):
        read_tickets(path, load_mapping("triage"))


def test_ingest_header_only_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("ticket_id,subject,body\n", encoding="utf-8")
    with pytest.raises(DataError, match="no rows"):
        read_tickets(path, load_mapping("triage"))


def test_ingest_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(DataError, match=r"unknown format '\.xlsx'"):
        read_tickets(path, load_mapping("triage"))


def test_ingest_wrong_encoding_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(_csv_text(",").encode("cp1252"))
    forced = dataclasses.replace(load_mapping("triage"), encoding="utf-8")
    with pytest.raises(DataError, match=r"not valid utf-8 near line 4.*set 'encoding:'"):
        read_tickets(path, forced)


def test_ingest_truncated_json_array_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(ROWS)[:-40], encoding="utf-8")
    with pytest.raises(DataError, match="line 1"):
        read_tickets(path, load_mapping("triage"))


def test_ingest_bad_jsonl_line_is_rejected_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    lines = [json.dumps(ROWS[0]), "{not json", json.dumps(ROWS[1]), "[1, 2]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = read_tickets(path, load_mapping("triage")).report
    assert (report.read, report.accepted, report.rejected) == (4, 2, 2)
    assert [(e.line, e.code) for e in report.errors] == [(2, "malformed_row"), (4, "malformed_row")]
