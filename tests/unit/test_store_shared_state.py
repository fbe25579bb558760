"""The shared state of several workers: the resolved-ticket log, the desired-bundle row and
concurrency errors retried then typed, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import logging
import threading

import pytest
from db_locks import held_write_lock
from store_helpers import prediction, ticket

from triage.errors import StoreBusyError
from triage.store.records import FeedbackRecord, ResolvedRecord
from triage.store.sql import SqlFeedbackStore, open_store


def test_ticket_log_reads_resolved_tickets_after_a_cursor_in_order(
    store: SqlFeedbackStore,
) -> None:
    assert store.ticket_log_head() == 0 and store.read_ticket_log(0) == []
    for i in range(3):
        store.record_resolved(ResolvedRecord(ticket(i)))
    entries = store.read_ticket_log(0)
    assert [e.ticket.ticket_id for e in entries] == [ticket(i).ticket_id for i in range(3)]
    assert [e.log_id for e in entries] == sorted(e.log_id for e in entries)
    head = store.ticket_log_head()
    assert head == entries[-1].log_id
    assert [e.ticket.ticket_id for e in store.read_ticket_log(entries[0].log_id)] == [
        ticket(1).ticket_id,
        ticket(2).ticket_id,
    ]
    assert [e.log_id for e in store.read_ticket_log(0, upto=entries[1].log_id)] == [
        e.log_id for e in entries[:2]
    ]


def test_ticket_log_concurrent_writers_commit_ids_in_order(store: SqlFeedbackStore) -> None:
    """Eight threads resolve at once; every id a reader sees is final: none appears later
    below an id it has already read (the log's cursor never skips a ticket)."""
    seen: list[int] = []
    done = threading.Event()

    def reader() -> None:
        cursor = 0
        while not done.is_set() or store.ticket_log_head() > cursor:
            for entry in store.read_ticket_log(cursor):
                seen.append(entry.log_id)
                cursor = entry.log_id

    def writer(k: int) -> None:
        for i in range(5):  # a ticket id of its own per write: two writes of one id may conflict
            resolved = ticket((k + i) % 5).replace(ticket_id=f"LOG-{k}-{i}")
            store.record_resolved(ResolvedRecord(resolved))

    follower = threading.Thread(target=reader)
    follower.start()
    writers = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    done.set()
    follower.join()
    assert seen == sorted(seen) and len(seen) == 40 == len(set(seen))


def test_desired_bundle_newest_request_wins(store: SqlFeedbackStore) -> None:
    assert store.desired_bundle() is None
    first = store.request_bundle("/bundles/v1")
    second = store.request_bundle("/bundles/v2")
    assert second.generation > first.generation
    current = store.desired_bundle()
    assert current is not None and (current.generation, current.bundle_dir) == (
        second.generation,
        "/bundles/v2",
    )


def _busy_store(database_url: str) -> SqlFeedbackStore:
    store = open_store(database_url, lock_timeout_s=0.2)
    store.record_predictions([prediction("p1")])
    return store


def test_store_held_lock_is_retried_then_store_busy(database_url: str) -> None:
    store = _busy_store(database_url)
    failures: list[str] = []
    store.on_write_failure = failures.append
    try:
        with held_write_lock(database_url), pytest.raises(StoreBusyError, match="retry") as info:
            store.record_feedback(FeedbackRecord("p1", "accepted"))
        assert info.value.operation == "record_feedback" and failures == ["record_feedback"]
        assert store.record_feedback(FeedbackRecord("p1", "accepted")) > 0  # lock gone: fine
    finally:
        store.close()


class _Retries(logging.Handler):
    """Sees the retry warnings of `triage.store.retry` (a try that met the held lock)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.seen.set()


def test_store_lock_released_during_the_backoff_is_not_an_error(database_url: str) -> None:
    """The lock is held until the write has met it once (a retry is logged), then released:
    the retry after the backoff succeeds, and no write failure is reported."""
    store = _busy_store(database_url)
    failures: list[str] = []
    store.on_write_failure = failures.append
    locked = threading.Event()
    retries = _Retries()
    retry_logger = logging.getLogger("triage.store.retry")
    retry_logger.addHandler(retries)

    def hold() -> None:
        with held_write_lock(database_url):
            locked.set()
            retries.seen.wait(10)  # released during the backoff, before the next try

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        assert store.record_feedback(FeedbackRecord("p1", "accepted")) > 0
        assert retries.seen.is_set(), "the write never met the held lock"
        assert retries.messages and all(
            m.startswith("record_feedback: transient database error") for m in retries.messages
        )
        assert len(retries.messages) < 3 and failures == []  # a retry, not a StoreBusyError
    finally:
        retries.seen.set()
        holder.join(10)
        retry_logger.removeHandler(retries)
        store.close()


def test_store_dropped_connections_are_not_an_error(postgres_url: str) -> None:
    """Every server connection of the store is killed between two writes (a PostgreSQL
    restart or failover, as the pool sees it): the next write still succeeds."""
    import sqlalchemy as sa
    from pg import fresh_database

    database_url = fresh_database(postgres_url, "t_dropped_connections")
    store = _busy_store(database_url)
    killer = sa.create_engine(database_url)
    try:
        with killer.connect() as conn:
            killed = conn.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
        assert killed and killed >= 1
        assert store.record_feedback(FeedbackRecord("p1", "accepted")) > 0
    finally:
        killer.dispose()
        store.close()
