"""Waiting briefly for what another worker has answered but not yet committed."""

from __future__ import annotations

import time

from triage.errors import NotFoundError
from triage.store.protocol import FeedbackStore

POLL_S = 0.05


def prediction_ticket_waiting(store: FeedbackStore, prediction_id: str, wait_s: float) -> str:
    """The ticket id `prediction_id` was made for, waiting up to `wait_s` seconds for another
    worker to commit it; `NotFoundError` when still unknown. The worker that answered a
    prediction commits it on its writer thread about 50 ms after the response (`api.writer`):
    feedback or a resolved ticket sent to another worker in that window would be a 404 without
    the wait. Blocking: call it off the event loop."""
    deadline = time.monotonic() + wait_s
    while True:
        ticket_id = store.prediction_ticket_id(prediction_id)
        if ticket_id is not None:
            return ticket_id
        if time.monotonic() >= deadline:
            raise NotFoundError(
                f"prediction {prediction_id} not found; send the prediction_id that /v1/triage "
                "returned for this ticket"
            )
        time.sleep(POLL_S)
