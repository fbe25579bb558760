"""Each public dataset in ../shared/data through its preset: every row accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.ingest import load_mapping, read_tickets
from triage.schema import Priority, Status

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
pytestmark = pytest.mark.shared_data


def _path(relative: str) -> Path:
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared datasets are absent on this machine")
    return path


@pytest.mark.slow
def test_ingest_it_service_tickets_48k_accepts_all_47837() -> None:
    path = _path("it_service_tickets_48k/all_tickets_processed_improved_v3.csv")
    result = read_tickets(path, load_mapping("it_service_tickets_48k"))
    report = result.report
    assert (report.read, report.accepted, report.rejected) == (47_837, 47_837, 0)
    assert len({t.category for t in result.tickets}) == 8
    assert result.tickets[0].ticket_id == "it48k-2"
    english = sum(t.language == "en" for t in result.tickets) / len(result.tickets)
    assert english > 0.85  # the README says about 97% English; the text is a bag of words


def test_ingest_hadoop_bugs_maps_priorities_and_dates() -> None:
    result = read_tickets(_path("hadoop_bugs/hadoop_bugs.csv"), load_mapping("hadoop_bugs"))
    report = result.report
    assert report.read == report.accepted == 2_503
    counts = {p: sum(t.priority == p for t in result.tickets) for p in Priority}
    assert counts == {Priority.P1: 76, Priority.P2: 86, Priority.P3: 1_738, Priority.P4: 603}
    first = result.tickets[0]
    assert first.ticket_id == "13404344" and first.created_at is not None
    assert first.created_at.isoformat() == "2021-09-30T17:20:00+00:00"
    assert first.status == Status.CANCELLED  # Resolved / Duplicate
    assert all(t.created_at is not None for t in result.tickets)


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("aa_dataset-tickets-multi-lang-5-2-50-version_PARTIAL_first1871.csv", 1_871),
        ("dataset-tickets-multi-lang-4-20k_PARTIAL_first2180.csv", 2_180),
        ("dataset-tickets-multi-lang3-4k_PARTIAL_first1166.csv", 1_166),
    ],
)
def test_ingest_support_tickets_synthetic(name: str, rows: int) -> None:
    path = _path(f"support_tickets_synthetic/{name}")
    result = read_tickets(path, load_mapping("support_tickets_synthetic"))
    assert result.report.read == result.report.accepted == rows
    assert all(t.solution for t in result.tickets)
    assert {t.priority for t in result.tickets} <= {Priority.P2, Priority.P3, Priority.P4}
    assert not any("\\n" in t.body for t in result.tickets)  # literal escapes became newlines
