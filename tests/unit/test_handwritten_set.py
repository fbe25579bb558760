"""The hand-written real-phrasing test set (tests/data/handwritten_tickets.jsonl) is well formed."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from triage.ingest import load_mapping, validate_file
from triage.sample.taxonomy import CATEGORIES, category_keys
from triage.schema import Level, Priority, priority_from

SET = Path(__file__).resolve().parents[1] / "data" / "handwritten_tickets.jsonl"
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
    "ambiguous",
    "typo",
    "code_switch",
    "forwarded",
    "angry",
    "phone_note",
    "error_code",
    "jargon",
    "outage",
    "security_incident",
    "calm_request",
}
PROMISED = {"nl": 90, "en": 50, "de": 20}
"""At least this many tickets per language (README: about 90 / 50 / 20, 160 in all)."""
USUAL_LINE = {(c.key, s.key): s.line for c in CATEGORIES for s in c.subcategories}

Row = dict[str, Any]


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    with SET.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_handwritten_set_rows_have_exactly_the_documented_fields(rows: list[Row]) -> None:
    bad = [r.get("ticket_id") for r in rows if set(r) != FIELDS]
    assert not bad, f"rows with missing or extra fields: {bad}"
    assert all(isinstance(r["support_line"], int) for r in rows)
    assert all(r["body"].strip() and r["note"].strip() for r in rows)


def test_handwritten_set_ids_are_unique_and_numbered(rows: list[Row]) -> None:
    ids = [r["ticket_id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert ids == [f"HW-{i:03d}" for i in range(1, len(rows) + 1)]


def test_handwritten_set_counts_per_language_are_as_promised(rows: list[Row]) -> None:
    languages = Counter(r["language"] for r in rows)
    assert set(languages) == set(PROMISED)
    assert all(languages[lang] >= n for lang, n in PROMISED.items()), languages
    assert len(rows) >= 160


def test_handwritten_set_channels_and_kinds_are_known(rows: list[Row]) -> None:
    assert {r["channel"] for r in rows} <= {"email", "phone", "portal", "chat"}
    assert {r["kind"] for r in rows} <= KINDS


def test_handwritten_set_labels_are_in_the_taxonomy(rows: list[Row]) -> None:
    categories = set(category_keys())
    assert all(r["category"] in categories for r in rows)
    wrong = [r["ticket_id"] for r in rows if (r["category"], r["subcategory"]) not in USUAL_LINE]
    assert not wrong, f"subcategory not in its category: {wrong}"


def test_handwritten_set_priority_follows_the_itil_matrix(rows: list[Row]) -> None:
    for r in rows:
        expected = priority_from(Level(r["impact"]), Level(r["urgency"]))
        assert Priority(r["priority"]) == expected, r["ticket_id"]


def test_handwritten_set_support_line_is_usual_or_one_higher(rows: list[Row]) -> None:
    for r in rows:
        usual = USUAL_LINE[(r["category"], r["subcategory"])]
        assert r["support_line"] in {usual, min(3, usual + 1)}, r["ticket_id"]


def test_handwritten_set_covers_every_category_in_two_languages(rows: list[Row]) -> None:
    per_category = Counter(r["category"] for r in rows)
    assert {c: n for c, n in per_category.items() if n < 4} == {}
    assert set(per_category) == set(category_keys())
    for category in category_keys():
        languages = {r["language"] for r in rows if r["category"] == category}
        assert len(languages) >= 2, category


def test_handwritten_set_has_hard_cases_and_every_priority(rows: list[Row]) -> None:
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["vague"] + kinds["two_problems"] >= 15
    assert {r["priority"] for r in rows} == {p.value for p in Priority}
    assert {r["support_line"] for r in rows} == {1, 2, 3}


def test_handwritten_set_contact_data_is_fictional(rows: list[Row]) -> None:
    text = "\n".join(f"{r['subject']}\n{r['body']}" for r in rows)
    domains = re.findall(r"[\w.-]+@([\w.-]+\w)", text)
    # `.example` is reserved (RFC 2606); one address is part of an Outlook .ost file name.
    assert domains and all(".example" in d for d in domains), domains
    # Dutch mobile numbers 06-0... are not issued, so none of these can reach a real person.
    mobiles = re.findall(r"\b06-\d", text)
    assert mobiles and all(m == "06-0" for m in mobiles), mobiles


def test_handwritten_set_imports_with_the_triage_preset(rows: list[Row]) -> None:
    report = validate_file(SET, load_mapping("triage"))
    assert (report.read, report.accepted, report.rejected) == (len(rows), len(rows), 0)
    assert report.duplicates == 0
