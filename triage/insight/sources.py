"""Where insight's ticket table comes from besides files: the service's store, and a bundle that
classifies tickets (for candidate new categories). The only place insight reads the store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from triage.insight.table import from_tickets
from triage.schema import Channel, Ticket
from triage.store.protocol import FeedbackStore

Outcome = tuple[str | None, str | None]
"""A category prediction's action (`auto` / `suggest` / `review`) and why it was not `auto` (a
`triage.prediction.Reason` value, None when it was)."""
Classify = Callable[[pd.DataFrame], Sequence[Outcome]]
"""The category `Outcome` per row of a ticket table."""
CLASSIFY_BATCH = 256


def from_store(store: FeedbackStore, since: datetime | None = None) -> pd.DataFrame:
    """The tickets the service has seen since `since`: resolved ones with their final fields,
    and triaged ones not resolved yet, each with the category action of its latest prediction
    and the reason it was not `auto` (absent from predictions stored before reason codes).

    A ticket sent without `created_at` is dated by when it was triaged (or recorded resolved).
    """
    tickets: dict[str, Ticket] = {}
    actions: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for prediction in store.iter_predictions(since):
        ticket = _dated(prediction.ticket, prediction.created_at)
        tickets[ticket.ticket_id] = ticket
        category = prediction.labels.get("category") or {}
        if category.get("action"):
            actions[ticket.ticket_id] = str(category["action"])
            reasons.pop(ticket.ticket_id, None)
            if category.get("reason_code"):
                reasons[ticket.ticket_id] = str(category["reason_code"])
    for record in store.iter_resolved(since):
        seen = tickets.get(record.ticket.ticket_id)
        ticket = _dated(
            record.ticket, seen.created_at if seen and seen.created_at else record.created_at
        )
        tickets[ticket.ticket_id] = ticket
    return from_tickets(tickets.values(), actions, reasons)


def _dated(ticket: Ticket, fallback: datetime) -> Ticket:
    """`ticket`, dated `fallback` when it came without `created_at`, but never after a first
    response or resolution time the ticket system sent (those would then come "before" it)."""
    if ticket.created_at is not None:
        return ticket
    known = [t for t in (ticket.first_response_at, ticket.resolved_at) if t is not None]
    return ticket.replace(created_at=min([fallback, *known]))


def _ticket(row: dict[str, Any]) -> Ticket:
    channel = row.get("channel")
    return Ticket(
        ticket_id=str(row["ticket_id"]),
        subject=str(row.get("subject") or ""),
        body=str(row.get("body") or "") or "(empty)",
        channel=Channel(channel) if isinstance(channel, str) and channel else None,
        language=row.get("language") if isinstance(row.get("language"), str) else None,
    )


def bundle_classifier(triager: Any) -> Classify:
    """`Classify` with a loaded `triage.triager.Triager`: its category outcome per row."""

    def classify(rows: pd.DataFrame) -> list[Outcome]:
        records = rows[["ticket_id", "subject", "body", "channel", "language"]].to_dict("records")
        tickets = [_ticket(r) for r in records]
        outcomes: list[Outcome] = []
        for start in range(0, len(tickets), CLASSIFY_BATCH):
            batch = tickets[start : start + CLASSIFY_BATCH]
            for result in triager.predict_many(batch, k_similar=0, k_kb=0):
                p = result.predictions.get("category")
                reason = p.reason_code.value if p and p.reason_code else None
                outcomes.append((p.action.value, reason) if p else (None, None))
        return outcomes

    return classify
