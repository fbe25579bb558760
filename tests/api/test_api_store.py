"""The feedback store: durability settings, round trips, keys, migrations, report and export."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pg import fresh_database
from service_helpers import make_tickets

from api.db import head_revision, open_store
from triage.dataset import read_tickets
from triage.errors import ConfigError, NotFoundError
from triage.feedback import (
    SCHEMA_REVISION,
    FeedbackRecord,
    FeedbackStoreError,
    PredictionRecord,
    ResolvedRecord,
    SqlFeedbackStore,
    create_key,
    ensure_dev_key,
    export_labelled,
    labelled_tickets,
    production_report,
    verify_key,
)
from triage.schema import Priority, SupportLine


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fb.db'}"
    server: str = request.getfixturevalue("postgres_url")
    return fresh_database(server, f"t_{request.node.name}".lower()[:60].replace("[", "_"))


@pytest.fixture()
def store(database_url: str) -> Iterator[SqlFeedbackStore]:
    s = open_store(database_url)
    yield s
    s.close()


def _prediction(pid: str, ticket_index: int = 0, action: str = "auto") -> PredictionRecord:
    ticket = make_tickets(5)[ticket_index].replace(category=None, priority=None, support_line=None)
    labels = {
        "category": {"label": "Network", "confidence": 0.95, "action": action},
        "priority": {"label": "P4", "confidence": 0.7, "action": "suggest"},
        "support_line": {"label": "2", "confidence": 0.9, "action": action},
    }
    return PredictionRecord(pid, ticket, "v1", labels)


def test_store_sqlite_is_wal_with_full_sync(store: SqlFeedbackStore) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_store_prediction_and_feedback_round_trip(store: SqlFeedbackStore) -> None:
    store.record_predictions([_prediction("a1"), _prediction("b2", 1)])
    fid = store.record_feedback(
        FeedbackRecord("a1", "corrected", {"category": "Access"}, kb_helpful=True)
    )
    preds = list(store.iter_predictions())
    assert [p.prediction_id for p in preds] == ["a1", "b2"]
    assert preds[0].ticket == _prediction("a1").ticket
    (fb,) = store.iter_feedback()
    assert fid == 1 and fb.corrections == {"category": "Access"} and fb.kb_helpful is True


def test_store_feedback_for_unknown_prediction_is_refused(store: SqlFeedbackStore) -> None:
    with pytest.raises(NotFoundError, match="prediction_id"):
        store.record_feedback(FeedbackRecord("ffff", "accepted"))


def test_store_feedback_outcome_and_targets_are_checked() -> None:
    with pytest.raises(FeedbackStoreError, match="outcome"):
        FeedbackRecord("a1", "liked")
    with pytest.raises(FeedbackStoreError, match="unknown targets"):
        FeedbackRecord("a1", "corrected", {"colour": "red"})


def test_store_keys_verify_only_the_exact_key(store: SqlFeedbackStore) -> None:
    plaintext, key = create_key(store, ["agent"], "tester")
    assert key.key_hash != plaintext and plaintext not in key.key_hash
    found = verify_key(store, plaintext)
    assert found is not None and found.allows("agent") and not found.allows("admin")
    assert verify_key(store, plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
    assert verify_key(store, "not-a-key") is None
    with pytest.raises(ConfigError, match="scopes"):
        create_key(store, ["root"])


def test_store_admin_key_holds_every_scope(store: SqlFeedbackStore) -> None:
    _, key = create_key(store, ["admin"])
    assert all(key.allows(s) for s in ("triage", "agent", "admin"))


def test_store_dev_key_is_written_once_private(store: SqlFeedbackStore, tmp_path: Path) -> None:
    path = tmp_path / ".triage" / "dev-api-key"
    ensure_dev_key(store, path)
    first = path.read_text()
    ensure_dev_key(store, path)
    assert path.read_text() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = verify_key(store, first.strip())
    assert key is not None and "admin" in key.scopes


def test_store_dev_key_is_renewed_for_a_fresh_database(
    store: SqlFeedbackStore, tmp_path: Path
) -> None:
    path = tmp_path / "dev-api-key"
    ensure_dev_key(store, path)
    stale = path.read_text().strip()
    fresh_store = SqlFeedbackStore.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        ensure_dev_key(fresh_store, path)
        renewed = path.read_text().strip()
        assert renewed != stale
        assert verify_key(fresh_store, renewed) is not None
    finally:
        fresh_store.close()


def test_store_migrations_match_the_library_schema(tmp_path: Path) -> None:
    assert head_revision() == SCHEMA_REVISION
    migrated = open_store(f"sqlite:///{tmp_path / 'migrated.db'}")
    created = SqlFeedbackStore.open(f"sqlite:///{tmp_path / 'created.db'}")
    for table in ("api_keys", "predictions", "feedback", "resolved_tickets"):
        a, b = sa.inspect(migrated.engine), sa.inspect(created.engine)
        assert [c["name"] for c in a.get_columns(table)] == [
            c["name"] for c in b.get_columns(table)
        ]
        assert {i["name"] for i in a.get_indexes(table)} == {
            i["name"] for i in b.get_indexes(table)
        }
    # a CLI-created database is at head, so the service's migration is a no-op on it
    open_store(f"sqlite:///{tmp_path / 'created.db'}")


def test_store_refuses_unknown_schema_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fb.db'}"
    SqlFeedbackStore.open(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(FeedbackStoreError, match="9999_future"):
        SqlFeedbackStore.open(url)


def test_store_report_scores_predictions_against_value_at_close(store: SqlFeedbackStore) -> None:
    store.record_predictions([_prediction("a1", 0), _prediction("b2", 1, action="review")])
    t0, t1 = make_tickets(5)[0], make_tickets(5)[1]
    store.record_resolved(
        ResolvedRecord(t0.replace(category="Network", support_line=SupportLine.SECOND), "a1")
    )
    store.record_resolved(
        ResolvedRecord(t1.replace(category="Access", support_line=SupportLine.FIRST))
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


def test_store_report_counts_only_the_window_since(store: SqlFeedbackStore) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta, timezone

    now = datetime.now(UTC)
    old = replace(_prediction("old1", 0), created_at=now - timedelta(days=40))
    store.record_predictions([old, _prediction("new1", 1)])
    store.record_feedback(FeedbackRecord("old1", "accepted", created_at=now - timedelta(days=39)))
    store.record_feedback(FeedbackRecord("new1", "accepted"))
    # an offset other than UTC for the cut: the stored UTC times still compare right
    since = (now - timedelta(days=30)).astimezone(timezone(timedelta(hours=2)))
    window = production_report(store, since)
    everything = production_report(store)
    assert (window["predictions"], window["feedback"]) == (1, 1)
    assert (everything["predictions"], everything["feedback"]) == (2, 2)
    assert window["since"] == since.isoformat() and everything["since"] is None


def test_store_export_is_a_labelled_dataset(store: SqlFeedbackStore, tmp_path: Path) -> None:
    store.record_predictions([_prediction("a1", 0), _prediction("b2", 1), _prediction("c3", 2)])
    store.record_feedback(FeedbackRecord("a1", "accepted"))
    store.record_feedback(
        FeedbackRecord("b2", "corrected", {"priority": "P1", "support_line": "3"})
    )
    store.record_feedback(FeedbackRecord("c3", "rejected"))
    resolved = make_tickets(5)[3]
    store.record_resolved(ResolvedRecord(resolved))
    summary = export_labelled(store, tmp_path / "out" / "tickets.parquet")
    tickets = {t.ticket_id: t for t in read_tickets(tmp_path / "out" / "tickets.parquet")}
    assert summary["tickets"] == 3 and summary["from_resolved"] == 1
    t0, t1 = make_tickets(5)[0], make_tickets(5)[1]
    assert tickets[t0.ticket_id].category == "Network"
    assert tickets[t1.ticket_id].priority == Priority.P1
    assert tickets[t1.ticket_id].support_line == SupportLine.THIRD
    assert tickets[resolved.ticket_id] == resolved
    assert make_tickets(5)[2].ticket_id not in tickets


def test_store_export_without_labels_says_so(store: SqlFeedbackStore, tmp_path: Path) -> None:
    with pytest.raises(FeedbackStoreError, match="no labelled tickets"):
        export_labelled(store, tmp_path / "x.parquet")


def test_store_recent_predictions_are_the_latest_newest_first(store: SqlFeedbackStore) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    records = [
        replace(_prediction(f"p{i}", i), created_at=now - timedelta(minutes=i)) for i in range(4)
    ]
    store.record_predictions(records)
    recent = store.recent_predictions(3)
    assert [r.prediction_id for r in recent] == ["p0", "p1", "p2"]
    assert recent[0].ticket == records[0].ticket and recent[0].labels == records[0].labels


def test_store_rated_feedback_keeps_the_latest_verdict(store: SqlFeedbackStore) -> None:
    store.record_predictions([_prediction("a1", 0)])
    store.record_feedback(FeedbackRecord("a1", "corrected", {"category": "Access"}))
    store.record_feedback(FeedbackRecord("a1", "rated", kb_article_id="KB1", kb_helpful=True))
    tickets, counts = labelled_tickets(store)
    assert [t.category for t in tickets] == ["Access"] and counts["from_feedback"] == 1
    assert production_report(store)["feedback_outcomes"]["rated"] == 1
