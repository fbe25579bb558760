"""The prediction writer: batches off the response path, flush waits, close loses nothing."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from api.writer import PredictionWriter
from triage.errors import TriageError
from triage.schema import Ticket
from triage.store.records import PredictionRecord
from triage.store.sql import open_store


def _record(i: int) -> PredictionRecord:
    ticket = Ticket(ticket_id=f"T{i}", subject="vpn down", body="cannot connect")
    labels = {"category": {"label": "Network", "confidence": 0.9, "action": "auto"}}
    return PredictionRecord(f"p{i:031d}", ticket, "v1", labels)


class SlowStore:
    """Records batch sizes; the first write blocks until released, so records pile up."""

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.release = threading.Event()
        self.entered = threading.Event()

    def record_predictions(self, records: Sequence[PredictionRecord]) -> None:
        self.entered.set()
        self.release.wait(5)
        self.batches.append(len(records))


def test_writer_flush_waits_until_every_record_is_committed(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    writer = PredictionWriter(store)
    writer.start()
    writer.submit([_record(i) for i in range(20)])
    assert writer.flush(10)
    assert writer.pending == 0
    assert all(store.has_prediction(_record(i).prediction_id) for i in range(20))
    writer.close()
    store.close()


def test_writer_groups_queued_records_into_batches() -> None:
    """No linger: the first record is written alone; the 30 queued while that write is
    blocked are written together in one batch."""
    store = SlowStore()
    writer = PredictionWriter(store, max_batch=50, linger_s=0.0)  # type: ignore[arg-type]
    writer.start()
    writer.submit([_record(0)])
    assert store.entered.wait(10)  # the writer is inside the first write
    for i in range(1, 31):
        writer.submit([_record(i)])
    store.release.set()
    assert writer.flush(10)
    assert store.batches == [1, 30]
    writer.close()


def test_writer_close_writes_what_is_queued() -> None:
    store = SlowStore()
    writer = PredictionWriter(store)  # type: ignore[arg-type]
    writer.start()
    writer.submit([_record(i) for i in range(7)])
    store.release.set()
    writer.close()
    assert sum(store.batches) == 7


class BrokenStore:
    def record_predictions(self, records: Sequence[PredictionRecord]) -> None:
        raise TriageError("disk full")


def test_writer_failure_is_counted_and_does_not_stall_flush() -> None:
    writer = PredictionWriter(BrokenStore())  # type: ignore[arg-type]
    writer.start()
    writer.submit([_record(1), _record(2)])
    assert writer.flush(10)
    assert writer.failed == 2
    writer.close()


class CountingStore:
    def __init__(self) -> None:
        self.batches: list[int] = []

    def record_predictions(self, records: Sequence[PredictionRecord]) -> None:
        self.batches.append(len(records))


def test_writer_lingers_to_share_a_commit_and_flush_cuts_the_linger_short() -> None:
    store = CountingStore()
    writer = PredictionWriter(store, linger_s=30.0)  # type: ignore[arg-type]
    writer.start()
    for i in range(5):  # a trickle of single predictions, as at low load
        writer.submit([_record(i)])
    assert writer.flush(10)  # would take 30 s if flush did not wake the writer
    assert store.batches == [5]  # one commit for the five
    writer.close()


def test_writer_close_during_linger_writes_everything() -> None:
    store = CountingStore()
    writer = PredictionWriter(store, linger_s=30.0)  # type: ignore[arg-type]
    writer.start()
    writer.submit([_record(i) for i in range(3)])
    writer.close()
    assert sum(store.batches) == 3
