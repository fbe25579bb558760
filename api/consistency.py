"""Waiting briefly for what another worker has answered but not yet committed."""

from __future__ import annotations

import time

from triage.errors import NotFoundError
from triage.store.protocol import FeedbackStore
from triage.store.records import FeedbackRecord

POLL_S = 0.05


def record_feedback_waiting(store: FeedbackStore, record: FeedbackRecord, wait_s: float) -> int:
    """Store feedback; when its prediction is unknown, wait up to `wait_s` seconds for it.

    The worker that answered the prediction commits it on its writer thread about 50 ms after
    the response (`api.writer`); feedback sent to another worker in that window would be a
    404 without the wait. `NotFoundError` when it is still unknown after `wait_s`.
    Blocking: call it off the event loop.
    """
    try:
        return store.record_feedback(record)
    except NotFoundError:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            time.sleep(POLL_S)
            if store.has_prediction(record.prediction_id):
                break
        return store.record_feedback(record)
