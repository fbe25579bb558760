"""The SQL store: durable SQLite settings, round trips, refused writes (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from store_helpers import prediction

from triage.errors import ConfigError, FeedbackStoreError, NotFoundError
from triage.store.engine import make_engine
from triage.store.records import FeedbackRecord
from triage.store.sql import SqlFeedbackStore


def test_store_sqlite_is_wal_with_full_sync(store: SqlFeedbackStore) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_store_prediction_and_feedback_round_trip(store: SqlFeedbackStore) -> None:
    store.record_predictions([prediction("a1"), prediction("b2", 1)])
    fid = store.record_feedback(
        FeedbackRecord("a1", "corrected", {"category": "Access"}, kb_helpful=True)
    )
    preds = list(store.iter_predictions())
    assert [p.prediction_id for p in preds] == ["a1", "b2"]
    assert preds[0].ticket == prediction("a1").ticket
    (fb,) = store.iter_feedback()
    assert fid == 1 and fb.corrections == {"category": "Access"} and fb.kb_helpful is True


def test_store_prediction_labels_match_predictions_without_tickets(
    store: SqlFeedbackStore,
) -> None:
    store.record_predictions([prediction("a1"), prediction("b2", 1)])
    full = list(store.iter_predictions())
    slim = list(store.iter_prediction_labels())
    assert [(s.prediction_id, s.ticket_id, s.labels, s.created_at) for s in slim] == [
        (p.prediction_id, p.ticket.ticket_id, p.labels, p.created_at) for p in full
    ]
    later = full[0].created_at
    assert {s.prediction_id for s in store.iter_prediction_labels(since=later)} == {
        p.prediction_id for p in store.iter_predictions(since=later)
    }


def test_store_feedback_for_unknown_prediction_is_refused(store: SqlFeedbackStore) -> None:
    with pytest.raises(NotFoundError, match="prediction_id"):
        store.record_feedback(FeedbackRecord("ffff", "accepted"))


def test_store_duplicate_prediction_is_a_typed_error(store: SqlFeedbackStore) -> None:
    store.record_predictions([prediction("a1")])
    with pytest.raises(FeedbackStoreError, match="write refused"):
        store.record_predictions([prediction("a1")])
    assert [p.prediction_id for p in store.iter_predictions()] == ["a1"]


def test_store_feedback_outcome_and_targets_are_checked() -> None:
    with pytest.raises(FeedbackStoreError, match="outcome"):
        FeedbackRecord("a1", "liked")
    with pytest.raises(FeedbackStoreError, match="unknown targets"):
        FeedbackRecord("a1", "corrected", {"colour": "red"})


def test_store_unusable_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="TRIAGE_DATABASE_URL"):
        make_engine("not a url")
    with pytest.raises(ConfigError, match="TRIAGE_DATABASE_URL"):
        make_engine("nosuchdb://x")


def test_store_recent_predictions_are_the_latest_newest_first(store: SqlFeedbackStore) -> None:
    now = datetime.now(UTC)
    records = [
        replace(prediction(f"p{i}", i), created_at=now - timedelta(minutes=i)) for i in range(4)
    ]
    store.record_predictions(records)
    recent = store.recent_predictions(3)
    assert [r.prediction_id for r in recent] == ["p0", "p1", "p2"]
    assert recent[0].ticket == records[0].ticket and recent[0].labels == records[0].labels
