"""Row validation: every rejection code with its line, no silent loss, strict mode, duplicates."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from triage.errors import RowRejected
from triage.ingest import CODES, DuplicateFinder, load_mapping, parse_mapping, read_tickets
from triage.schema import Priority

BROKEN = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "ingest" / "broken.csv"

EXPECTED_REJECTS = [
    (6, "missing_text", "body"),
    (7, "bad_date", "created_at"),
    (8, "unknown_value", "priority"),
    (9, "bad_number", "csat"),
    (10, "duplicate_id", "ticket_id"),
    (11, "malformed_row", None),
    (12, "missing_id", "ticket_id"),
    (13, "invalid_value", "csat"),
    (14, "bad_value", "escalated"),
]


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_broken_csv_reports_every_row_and_loses_none() -> None:
    report = read_tickets(BROKEN, load_mapping("triage")).report
    assert report.read == report.accepted + report.rejected == 13
    assert (report.accepted, report.rejected) == (4, 9)
    assert [(e.line, e.code, e.field) for e in report.errors] == EXPECTED_REJECTS
    assert report.to_dict()["rejected_by_code"] == {code: 1 for _, code, _ in EXPECTED_REJECTS}


def test_ingest_every_code_is_documented() -> None:
    assert {code for _, code, _ in EXPECTED_REJECTS} == set(CODES)


def test_ingest_accepted_tickets_keep_file_order_and_values() -> None:
    tickets = read_tickets(BROKEN, load_mapping("triage")).tickets
    assert [t.ticket_id for t in tickets] == ["T1", "T2", "T12", "T13"]
    assert tickets[0].created_at == datetime(2024, 3, 4, 7, 47, tzinfo=UTC)
    assert tickets[1].escalated is True and tickets[1].priority == Priority.P2
    assert tickets[1].body.count("\n") == 2  # the multi-line field is one ticket


def test_ingest_flags_exact_and_near_duplicates_without_dropping() -> None:
    report = read_tickets(BROKEN, load_mapping("triage")).report
    pairs = [(p.ticket_id, p.duplicate_of, p.kind, p.line) for p in report.duplicate_pairs]
    assert pairs == [("T12", "T1", "exact", 15), ("T13", "T2", "near", 16)]
    assert report.duplicates == 2 and report.accepted == 4


def test_commands_that_read_an_export_skip_near_duplicates_and_say_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`triage train` and the other reading commands keep the tickets only, so they skip the
    near-duplicate search; the log line must not read as "0 near-duplicates found"."""
    from training.cli.common import load_tickets

    flagged = read_tickets(BROKEN, load_mapping("triage")).report
    assert flagged.near_checked and "near 1)" in flagged.summary()
    with caplog.at_level("INFO", logger="triage.ingest.pipeline"):
        tickets = load_tickets(BROKEN, "triage")
    assert [t.ticket_id for t in tickets] == ["T1", "T2", "T12", "T13"]  # the same tickets
    assert "exact 1, near not checked" in caplog.text


def test_the_machine_readable_report_says_whether_near_duplicates_were_looked_for() -> None:
    """`near_duplicates: 0` must not read as "none found" when nobody looked."""
    checked = read_tickets(BROKEN, load_mapping("triage")).report.to_dict()
    unchecked_spec = dataclasses.replace(load_mapping("triage"), near_duplicates=None)
    unchecked = read_tickets(BROKEN, unchecked_spec).report.to_dict()
    assert checked["near_checked"] is True and checked["near_duplicates"] == 1
    assert unchecked["near_checked"] is False and unchecked["near_duplicates"] == 0


def test_ingest_strict_fails_on_first_bad_row() -> None:
    with pytest.raises(RowRejected) as info:
        read_tickets(BROKEN, load_mapping("triage"), strict=True)
    assert info.value.line == 6 and info.value.code == "missing_text"
    assert str(info.value).startswith("line 6: subject and body are both empty (code missing_text")


def test_ingest_unknown_value_null_policy_keeps_the_row(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,text,prio\n1,printer stuk,Hoog\n2,scherm zwart,Onbekend\n")
    spec = {"column": "prio", "values": {"hoog": "P2"}, "unknown": "null"}
    mapping = parse_mapping({"fields": {"ticket_id": "id", "body": "text", "priority": spec}})
    result = read_tickets(path, mapping)
    assert [t.priority for t in result.tickets] == [Priority.P2, None]


def test_ingest_unknown_value_rejects_by_default(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,text,cat\n1,printer stuk,Printen\n2,scherm zwart,Beeld\n")
    spec = {"column": "cat", "values": {"Printen": "printing"}}
    mapping = parse_mapping({"fields": {"ticket_id": "id", "body": "text", "category": spec}})
    report = read_tickets(path, mapping).report
    assert [(e.line, e.code) for e in report.errors] == [(3, "unknown_value")]


def test_ingest_constants_defaults_and_joined_text(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,kort,lang,notitie,kanaal\n1,VPN,valt weg,,\n")
    fields: dict[str, Any] = {
        "ticket_id": {"column": "id", "prefix": "TD-"},
        "subject": "kort",
        "body": {"columns": ["lang", "notitie"], "separator": " | "},
        "channel": {"column": "kanaal", "default": "email"},
        "assignment_group": {"constant": "Servicedesk"},
    }
    ticket = read_tickets(path, parse_mapping({"fields": fields})).tickets[0]
    assert (ticket.ticket_id, ticket.body) == ("TD-1", "valt weg")
    assert ticket.channel is not None and ticket.channel.value == "email"
    assert ticket.assignment_group == "Servicedesk"


def test_ingest_dates_use_format_and_timezone(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,text,created\n1,printer stuk,30/Sep/21 17:20\n2,scherm,2021-09-30\n")
    raw = {
        "timezone": "Europe/Amsterdam",
        "fields": {
            "ticket_id": "id",
            "body": "text",
            "created_at": {"column": "created", "format": ["%d/%b/%y %H:%M", "%Y-%m-%d"]},
        },
    }
    tickets = read_tickets(path, parse_mapping(raw)).tickets
    assert tickets[0].created_at == datetime(2021, 9, 30, 15, 20, tzinfo=UTC)  # CEST = UTC+2
    assert tickets[1].created_at == datetime(2021, 9, 29, 22, 0, tzinfo=UTC)


def test_ingest_unescapes_literal_newlines(tmp_path: Path) -> None:
    path = _csv(tmp_path, 'id,text\n1,"Hallo,\\n\\nde printer is stuk."\n')
    spec = {"column": "text", "unescape_newlines": True}
    mapping = parse_mapping({"fields": {"ticket_id": "id", "body": spec}})
    ticket = read_tickets(path, mapping).tickets[0]
    assert ticket.body == "Hallo,\n\nde printer is stuk."


def test_ingest_language_detected_only_when_not_given(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "id,text,lang\n1,Mijn laptop start niet meer op sinds gisteren,\n"
        "2,My laptop does not start since yesterday,xx\n",
    )
    mapping = parse_mapping({"fields": {"ticket_id": "id", "body": "text", "language": "lang"}})
    result = read_tickets(path, mapping)
    assert [t.language for t in result.tickets] == ["nl", "xx"]
    assert result.report.languages_detected == 1


def test_ingest_duplicate_finder_threshold() -> None:
    words = [f"woord{i}" for i in range(60)]
    finder = DuplicateFinder(threshold=0.9)
    assert finder.check("a", " ".join(words), 1) is None
    near = finder.check("b", " ".join([*words, "extra"]), 2)  # Jaccard 58/59
    assert near is not None and (near.duplicate_of, near.kind) == ("a", "near")
    assert finder.check("c", " ".join(words[::-1]), 3) is None  # same words, other shingles
    exact = finder.check("d", " ".join(words).upper() + "!", 4)
    assert exact is not None and (exact.duplicate_of, exact.kind) == ("a", "exact")


def test_ingest_duplicate_finder_near_off() -> None:
    finder = DuplicateFinder(threshold=None)
    words = " ".join(f"w{i}" for i in range(40))
    assert finder.check("a", words, 1) is None
    assert finder.check("b", words + " extra", 2) is None


def test_ingest_structured_values_where_text_belongs_are_rejected_not_stringified(
    tmp_path: Path,
) -> None:
    """A JSON export's nested values became tickets with ids "[1]" and "True" and a body of
    "{'x': 1}" (review); each is now a `bad_value` row, the good row is kept."""
    import json

    rows = [
        {"ticket_id": "OK-1", "subject": "vpn down", "body": "drops hourly"},
        {"ticket_id": [1], "subject": "vpn down", "body": "x"},
        {"ticket_id": {"a": 1}, "subject": "vpn down", "body": "x"},
        {"ticket_id": True, "subject": "vpn down", "body": "x"},
        {"ticket_id": "B-1", "subject": "vpn down", "body": {"x": 1}},
        {"ticket_id": "B-2", "subject": False, "body": "x"},
        {"ticket_id": "B-3", "subject": "vpn", "body": "x", "csat": True},
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = read_tickets(path, load_mapping("triage"))
    assert [t.ticket_id for t in result.tickets] == ["OK-1"]
    found = [(e.line, e.code, e.field) for e in result.report.errors]
    assert found == [
        (2, "bad_value", "ticket_id"),
        (3, "bad_value", "ticket_id"),
        (4, "bad_value", "ticket_id"),
        (5, "bad_value", "body"),
        (6, "bad_value", "subject"),
        (7, "bad_value", "csat"),
    ]
