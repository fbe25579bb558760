"""The store as a training dataset: labels agents confirmed or corrected, and values at close."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from triage.dataset import ticket_from_row, write_tickets
from triage.errors import FeedbackStoreError, TicketValueError
from triage.schema import Ticket
from triage.store.protocol import FeedbackStore
from triage.store.records import VERDICTS, FeedbackRecord, PredictionRecord

logger = logging.getLogger(__name__)


def _label_value(target: str, label: str) -> str | int:
    return int(label) if target == "support_line" else label


def _labelled(pred: PredictionRecord, fb: FeedbackRecord) -> Ticket | None:
    """The predicted ticket with the labels the agent confirmed or set; None when rejected
    without a correction, or when a label is not valid for the ticket model."""
    if fb.outcome == "rejected" and not fb.corrections:
        return None
    labels = (
        {t: str(v["label"]) for t, v in pred.labels.items()} if fb.outcome != "rejected" else {}
    )
    labels.update(fb.corrections)
    row = pred.ticket.to_dict() | {t: _label_value(t, v) for t, v in labels.items()}
    try:
        return ticket_from_row(row)
    except (TicketValueError, ValueError) as exc:
        logger.warning("prediction %s left out of the dataset: %s", pred.prediction_id, exc)
        return None


def labelled_tickets(store: FeedbackStore) -> tuple[list[Ticket], dict[str, int]]:
    """Tickets with labels agents confirmed: accepted or corrected predictions, overridden by the
    final labels of resolved tickets (the value at close wins). Returns tickets and counts.
    """
    # the latest verdict on each prediction's labels (`rated` rows carry none)
    latest = {f.prediction_id: f for f in store.iter_feedback() if f.outcome in VERDICTS}
    out: dict[str, Ticket] = {}
    from_feedback = 0
    for pred in store.iter_predictions():
        fb = latest.get(pred.prediction_id)
        ticket = _labelled(pred, fb) if fb else None
        if ticket is not None:
            out[ticket.ticket_id] = ticket
            from_feedback += 1
    resolved = 0
    for record in store.iter_resolved():
        out[record.ticket.ticket_id] = record.ticket
        resolved += 1
    return list(out.values()), {"from_feedback": from_feedback, "from_resolved": resolved}


def write_labelled_dataset(store: FeedbackStore, out: Path) -> dict[str, Any]:
    """Write `labelled_tickets` as a normalised tickets Parquet file that `triage train` reads."""
    tickets, counts = labelled_tickets(store)
    if not tickets:
        raise FeedbackStoreError("no labelled tickets yet: nothing accepted, corrected or resolved")
    write_tickets(tickets, out)
    return {"path": str(out), "tickets": len(tickets), **counts}
