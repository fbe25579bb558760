"""Prediction records written in batches on their own thread, off the request's critical path."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence

from triage.errors import TriageError
from triage.store.protocol import FeedbackStore
from triage.store.records import PredictionRecord

logger = logging.getLogger(__name__)

_FLUSH = object()  # queue marker: commit what is queued now


class PredictionWriter:
    """Queues prediction records and commits them in batches of up to `max_batch` on one thread.

    A triage response no longer waits for the SQLite commit; anything that reads predictions
    (feedback, resolved tickets, stats) calls `flush()` first, so feedback on a prediction that
    was just answered always finds it. `close()` writes what is queued before the store closes.
    A prediction answered within `linger_s` (50 ms) before a crash may be lost; feedback is
    still committed synchronously.

    After the first record of a batch the writer lingers up to `linger_s` for more, so a steady
    trickle of single predictions costs one commit (one fsync) per window rather than one each;
    `flush()` cuts the linger short.
    """

    def __init__(self, store: FeedbackStore, max_batch: int = 256, linger_s: float = 0.05) -> None:
        self.store, self.max_batch, self.linger_s = store, max_batch, linger_s
        self._queue: queue.SimpleQueue[PredictionRecord | object | None] = queue.SimpleQueue()
        self._done = threading.Condition()
        self._submitted = 0
        self._written = 0
        self._thread = threading.Thread(target=self._run, name="prediction-writer", daemon=True)
        self.failed = 0

    @property
    def pending(self) -> int:
        """Records queued but not yet committed."""
        return self._submitted - self._written

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def submit(self, records: Sequence[PredictionRecord]) -> None:
        """Queue records; returns at once."""
        with self._done:
            self._submitted += len(records)
        for record in records:
            self._queue.put(record)

    def flush(self, timeout_s: float = 30.0) -> bool:
        """Wait until every record submitted so far is committed (or failed); False on timeout."""
        with self._done:
            target = self._submitted
            if self._written >= target:
                return True
        self._queue.put(_FLUSH)  # wake a lingering writer
        with self._done:
            return self._done.wait_for(lambda: self._written >= target, timeout_s)

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            if first is _FLUSH:
                continue
            batch, stop = self._drain([first])  # type: ignore[list-item]
            self._write(batch)
            if stop:
                return

    def _drain(self, batch: list[PredictionRecord]) -> tuple[list[PredictionRecord], bool]:
        deadline = time.monotonic() + self.linger_s
        while len(batch) < self.max_batch:
            try:
                record = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return batch, False
            if record is None:
                return batch, True
            if record is _FLUSH:  # a flush is waiting: take what is queued, linger no more
                deadline = 0.0
                continue
            batch.append(record)  # type: ignore[arg-type]
        return batch, False

    def _write(self, batch: list[PredictionRecord]) -> None:
        try:
            self.store.record_predictions(batch)
        except (TriageError, OSError) as exc:
            self.failed += len(batch)
            logger.error("%d prediction records not stored: %s", len(batch), exc)
        except Exception:  # the thread's edge: a dead writer would stall every flush
            self.failed += len(batch)
            logger.exception("%d prediction records not stored", len(batch))
        with self._done:
            self._written += len(batch)
            self._done.notify_all()
