"""The hand-written ticket sets are well formed: the real-phrasing blind set
(tests/data/handwritten_tickets.jsonl) and the second and third development sets
(dev_tickets_2.jsonl, dev_tickets_3.jsonl), which share fields, labelling rules and the `triage`
import preset; each also has checks of its own."""

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

DATA = Path(__file__).resolve().parents[1] / "data"
SET, DEV2 = DATA / "handwritten_tickets.jsonl", DATA / "dev_tickets_2.jsonl"
DEV3 = DATA / "dev_tickets_3.jsonl"
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


def _read(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return _read(SET)


@pytest.fixture(scope="module")
def dev_rows() -> list[Row]:
    return _read(DEV2)


@pytest.fixture(scope="module", params=[SET, DEV2, DEV3], ids=["blind", "dev2", "dev3"])
def a_set(request: pytest.FixtureRequest) -> tuple[Path, list[Row]]:
    """Either set, for the checks both must pass."""
    return request.param, _read(request.param)


def test_hand_set_rows_have_exactly_the_documented_fields(a_set: tuple[Path, list[Row]]) -> None:
    rows = a_set[1]
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


def test_hand_set_channels_and_kinds_are_known(a_set: tuple[Path, list[Row]]) -> None:
    rows = a_set[1]
    assert {r["language"] for r in rows} == {"nl", "en", "de"}
    assert {r["channel"] for r in rows} <= {"email", "phone", "portal", "chat"}
    assert {r["kind"] for r in rows} <= KINDS


def test_hand_set_labels_are_in_the_taxonomy(a_set: tuple[Path, list[Row]]) -> None:
    rows = a_set[1]
    categories = set(category_keys())
    assert all(r["category"] in categories for r in rows)
    wrong = [r["ticket_id"] for r in rows if (r["category"], r["subcategory"]) not in USUAL_LINE]
    assert not wrong, f"subcategory not in its category: {wrong}"


def test_hand_set_priority_follows_the_itil_matrix(a_set: tuple[Path, list[Row]]) -> None:
    for r in a_set[1]:
        expected = priority_from(Level(r["impact"]), Level(r["urgency"]))
        assert Priority(r["priority"]) == expected, r["ticket_id"]


def test_hand_set_support_line_is_usual_or_one_higher(a_set: tuple[Path, list[Row]]) -> None:
    for r in a_set[1]:
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


def test_dev_tickets_2_ids_are_numbered(dev_rows: list[Row]) -> None:
    ids = [r["ticket_id"] for r in dev_rows]
    assert ids == [f"DEV2-{i:03d}" for i in range(1, len(dev_rows) + 1)]
    assert len(dev_rows) >= 60


def test_dev_tickets_2_hold_escalations_and_vague_tickets(dev_rows: list[Row]) -> None:
    escalated = [
        r for r in dev_rows if r["support_line"] > USUAL_LINE[(r["category"], r["subcategory"])]
    ]
    kinds = Counter(r["kind"] for r in dev_rows)
    assert len(escalated) >= 15 and kinds["vague"] >= 5
    assert {r["support_line"] for r in dev_rows} == {1, 2, 3}


def test_hand_set_imports_with_the_triage_preset(a_set: tuple[Path, list[Row]]) -> None:
    path, rows = a_set
    report = validate_file(path, load_mapping("triage"))
    assert (report.read, report.accepted, report.rejected) == (len(rows), len(rows), 0)
    assert report.duplicates == 0


def test_dev_tickets_3_ids_are_numbered_and_cover_the_three_languages() -> None:
    rows = _read(DEV3)
    assert [r["ticket_id"] for r in rows] == [f"DEV3-{i:03d}" for i in range(1, len(rows) + 1)]
    assert set(Counter(r["language"] for r in rows)) == {"nl", "en", "de"}
    assert {r["support_line"] for r in rows} == {1, 2, 3}
