"""Production report: precision against the value at close, coverage, outcomes, the time window."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from store_helpers import prediction, ticket

from triage.schema import SupportLine
from triage.store.records import FeedbackRecord, ResolvedRecord
from triage.store.report import production_report
from triage.store.sql import SqlFeedbackStore


def test_store_report_scores_predictions_against_value_at_close(store: SqlFeedbackStore) -> None:
    store.record_predictions([prediction("a1", 0), prediction("b2", 1, action="review")])
    store.record_resolved(
        ResolvedRecord(ticket(0).replace(category="Network", support_line=SupportLine.SECOND), "a1")
    )
    store.record_resolved(
        ResolvedRecord(ticket(1).replace(category="Access", support_line=SupportLine.FIRST))
    )
    store.record_feedback(FeedbackRecord("a1", "accepted", kb_article_id="KB1", kb_helpful=True))
    store.record_feedback(FeedbackRecord("b2", "rejected", kb_article_id="KB2", kb_helpful=False))
    report = production_report(store)
    cat = report["targets"]["category"]
    assert report["resolved_with_prediction"] == 2
    assert cat["precision"] == 0.5 and cat["judged"] == 2
    assert cat["auto_precision"] == 1.0 and cat["auto_judged"] == 1
    assert cat["coverage"] == {"auto": 0.5, "suggest": 0.0, "review": 0.5}
    assert report["kb_acceptance"] == 0.5
    assert report["feedback_outcomes"] == {"accepted": 1, "corrected": 0, "rejected": 1, "rated": 0}


def test_store_report_prices_the_autos_at_the_cost_ratio(store: SqlFeedbackStore) -> None:
    """Three auto-applied categories, one wrong at close, and one suggestion: at ten right ones
    per wrong one the autos cost more than they saved; at one they were worth something."""
    store.record_predictions(
        [prediction(f"p{i}", i) for i in range(3)] + [prediction("s3", 3, action="suggest")]
    )
    for i, category in enumerate(["Network", "Network", "Access", "Access"]):
        pid = f"p{i}" if i < 3 else "s3"
        store.record_resolved(ResolvedRecord(ticket(i).replace(category=category), pid))
    costly = production_report(store)["targets"]["category"]
    assert (costly["auto_judged"], costly["auto_wrong"], costly["judged"]) == (3, 1, 4)
    assert costly["auto_worth_per_judged"] == (2 - 10 * 1) / 4
    assert (
        production_report(store, cost_ratio=1.0)["targets"]["category"]["auto_worth_per_judged"]
        == (2 - 1) / 4
    )
    assert production_report(store)["cost_ratio"] == 10.0


def test_store_report_counts_only_the_window_since(store: SqlFeedbackStore) -> None:
    now = datetime.now(UTC)
    old = replace(prediction("old1", 0), created_at=now - timedelta(days=40))
    store.record_predictions([old, prediction("new1", 1)])
    store.record_feedback(FeedbackRecord("old1", "accepted", created_at=now - timedelta(days=39)))
    store.record_feedback(FeedbackRecord("new1", "accepted"))
    # an offset other than UTC for the cut: the stored UTC times still compare right
    since = (now - timedelta(days=30)).astimezone(timezone(timedelta(hours=2)))
    window = production_report(store, since)
    everything = production_report(store)
    assert (window["predictions"], window["feedback"]) == (1, 1)
    assert (everything["predictions"], everything["feedback"]) == (2, 2)
    assert window["since"] == since.isoformat() and everything["since"] is None
