"""Hand-made records for the store tests."""

from __future__ import annotations

from tiny_data import make_tickets

from triage.schema import Ticket
from triage.store.records import PredictionRecord


def ticket(index: int) -> Ticket:
    """One of five fixed hand-made tickets (labels included)."""
    return make_tickets(5)[index]


def prediction(pid: str, ticket_index: int = 0, action: str = "auto") -> PredictionRecord:
    """A stored prediction for `ticket(ticket_index)` (labels cleared: not known at triage)."""
    unlabelled = ticket(ticket_index).replace(category=None, priority=None, support_line=None)
    labels = {
        "category": {"label": "Network", "confidence": 0.95, "action": action},
        "priority": {"label": "P4", "confidence": 0.7, "action": "suggest"},
        "support_line": {"label": "2", "confidence": 0.9, "action": action},
    }
    return PredictionRecord(pid, unlabelled, "v1", labels)
