"""The second hand-written development set (tests/data/dev_tickets_2.jsonl) is well formed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from triage.ingest import load_mapping, validate_file
from triage.sample.taxonomy import CATEGORIES, category_keys
from triage.schema import Level, Priority, priority_from

SET = Path(__file__).resolve().parents[1] / "data" / "dev_tickets_2.jsonl"
FIELDS = {
    "ticket_id",
    "subject",
    "body",
    "language",
    "channel",
    "category",
    "subcategory",
    "priority",
    "impact",
    "urgency",
    "support_line",
    "kind",
    "note",
}
KINDS = {
    "plain",
    "one_liner",
    "vague",
    "two_problems",
    "typo",
    "forwarded",
    "angry",
    "phone_note",
    "outage",
    "security_incident",
    "calm_request",
}
USUAL_LINE = {(c.key, s.key): s.line for c in CATEGORIES for s in c.subcategories}

Row = dict[str, Any]


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    with SET.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_dev_tickets_2_rows_have_exactly_the_documented_fields(rows: list[Row]) -> None:
    bad = [r.get("ticket_id") for r in rows if set(r) != FIELDS]
    assert not bad, f"rows with missing or extra fields: {bad}"
    assert all(isinstance(r["support_line"], int) for r in rows)
    assert all(r["body"].strip() and r["note"].strip() for r in rows)


def test_dev_tickets_2_ids_are_unique_and_numbered(rows: list[Row]) -> None:
    ids = [r["ticket_id"] for r in rows]
    assert ids == [f"DEV2-{i:03d}" for i in range(1, len(rows) + 1)]
    assert len(rows) >= 60


def test_dev_tickets_2_languages_channels_and_kinds_are_known(rows: list[Row]) -> None:
    assert {r["language"] for r in rows} == {"nl", "en", "de"}
    assert {r["channel"] for r in rows} <= {"email", "phone", "portal", "chat"}
    assert {r["kind"] for r in rows} <= KINDS


def test_dev_tickets_2_labels_are_in_the_taxonomy(rows: list[Row]) -> None:
    assert {r["category"] for r in rows} <= set(category_keys())
    wrong = [r["ticket_id"] for r in rows if (r["category"], r["subcategory"]) not in USUAL_LINE]
    assert not wrong, f"subcategory not in its category: {wrong}"


def test_dev_tickets_2_priority_follows_the_itil_matrix(rows: list[Row]) -> None:
    for r in rows:
        expected = priority_from(Level(r["impact"]), Level(r["urgency"]))
        assert Priority(r["priority"]) == expected, r["ticket_id"]


def test_dev_tickets_2_support_line_is_usual_or_one_higher(rows: list[Row]) -> None:
    for r in rows:
        usual = USUAL_LINE[(r["category"], r["subcategory"])]
        assert r["support_line"] in {usual, min(3, usual + 1)}, r["ticket_id"]


def test_dev_tickets_2_hold_escalations_and_vague_tickets(rows: list[Row]) -> None:
    escalated = [
        r for r in rows if r["support_line"] > USUAL_LINE[(r["category"], r["subcategory"])]
    ]
    kinds = Counter(r["kind"] for r in rows)
    assert len(escalated) >= 15 and kinds["vague"] >= 5
    assert {r["support_line"] for r in rows} == {1, 2, 3}


def test_dev_tickets_2_imports_with_the_triage_preset(rows: list[Row]) -> None:
    report = validate_file(SET, load_mapping("triage"))
    assert (report.read, report.accepted, report.rejected) == (len(rows), len(rows), 0)
    assert report.duplicates == 0
