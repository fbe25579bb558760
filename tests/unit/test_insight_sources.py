"""Insight's ticket table from the service's own store."""

from __future__ import annotations

from datetime import UTC, datetime

from store_helpers import ticket

from triage.insight.sources import from_store
from triage.store.records import ResolvedRecord
from triage.store.sql import SqlFeedbackStore


def test_sources_ticket_resolved_before_it_reached_the_store_keeps_its_own_times(
    store: SqlFeedbackStore,
) -> None:
    """A ticket sent without `created_at` is dated by when it was stored, but never after the
    resolution time the ticket system sent (the contract fuzzer found a 500 year old one)."""
    long_ago = datetime(1999, 5, 1, 8, 30, tzinfo=UTC)
    old = ticket(0).replace(ticket_id="OLD-1", created_at=None, resolved_at=long_ago)
    store.record_resolved(ResolvedRecord(old))
    table = from_store(store)
    (row,) = table[table["ticket_id"] == "OLD-1"].to_dict("records")
    assert row["created_at"] == row["resolved_at"] == long_ago
