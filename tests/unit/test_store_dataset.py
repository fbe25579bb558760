"""The store as a training dataset: confirmed and corrected labels, values at close win."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import prediction, ticket

from triage.dataset import read_tickets
from triage.errors import FeedbackStoreError
from triage.schema import Priority, SupportLine
from triage.store.dataset import labelled_tickets, write_labelled_dataset
from triage.store.records import FeedbackRecord, ResolvedRecord
from triage.store.report import production_report
from triage.store.sql import SqlFeedbackStore


def test_store_dataset_holds_confirmed_and_corrected_labels(
    store: SqlFeedbackStore, tmp_path: Path
) -> None:
    store.record_predictions([prediction("a1", 0), prediction("b2", 1), prediction("c3", 2)])
    store.record_feedback(FeedbackRecord("a1", "accepted"))
    store.record_feedback(
        FeedbackRecord("b2", "corrected", {"priority": "P1", "support_line": "3"})
    )
    store.record_feedback(FeedbackRecord("c3", "rejected"))
    store.record_resolved(ResolvedRecord(ticket(3)))
    summary = write_labelled_dataset(store, tmp_path / "out" / "tickets.parquet")
    tickets = {t.ticket_id: t for t in read_tickets(tmp_path / "out" / "tickets.parquet")}
    assert summary["tickets"] == 3 and summary["from_resolved"] == 1
    assert tickets[ticket(0).ticket_id].category == "Network"
    assert tickets[ticket(1).ticket_id].priority == Priority.P1
    assert tickets[ticket(1).ticket_id].support_line == SupportLine.THIRD
    assert tickets[ticket(3).ticket_id] == ticket(3)
    assert ticket(2).ticket_id not in tickets


def test_store_dataset_value_at_close_wins_over_feedback(
    store: SqlFeedbackStore, tmp_path: Path
) -> None:
    store.record_predictions([prediction("a1", 0)])
    store.record_feedback(FeedbackRecord("a1", "accepted"))
    store.record_resolved(ResolvedRecord(ticket(0).replace(category="Access"), "a1"))
    write_labelled_dataset(store, tmp_path / "t.parquet")
    (only,) = read_tickets(tmp_path / "t.parquet")
    assert only.category == "Access"


def test_store_dataset_without_labels_says_so(store: SqlFeedbackStore, tmp_path: Path) -> None:
    with pytest.raises(FeedbackStoreError, match="no labelled tickets"):
        write_labelled_dataset(store, tmp_path / "x.parquet")
    assert not (tmp_path / "x.parquet").exists()


def test_store_dataset_rated_feedback_keeps_the_latest_verdict(store: SqlFeedbackStore) -> None:
    store.record_predictions([prediction("a1", 0)])
    store.record_feedback(FeedbackRecord("a1", "corrected", {"category": "Access"}))
    store.record_feedback(FeedbackRecord("a1", "rated", kb_article_id="KB1", kb_helpful=True))
    tickets, counts = labelled_tickets(store)
    assert [t.category for t in tickets] == ["Access"] and counts["from_feedback"] == 1
    assert production_report(store)["feedback_outcomes"]["rated"] == 1
