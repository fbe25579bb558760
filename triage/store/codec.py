"""Tickets as the JSON the store keeps (timestamps as ISO 8601 text) and back; inserted ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import CursorResult

from triage.dataset import ticket_from_row
from triage.errors import FeedbackStoreError
from triage.schema import Ticket

_TIMESTAMPS = ("created_at", "first_response_at", "resolved_at", "closed_at")


def ticket_to_json(ticket: Ticket) -> dict[str, Any]:
    """A JSON-ready dict of `ticket`."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in ticket.to_dict().items()}


def ticket_from_json(data: dict[str, Any]) -> Ticket:
    """The ticket `ticket_to_json` wrote."""
    row = dict(data)
    for name in _TIMESTAMPS:
        if isinstance(row.get(name), str):
            row[name] = datetime.fromisoformat(row[name])
    return ticket_from_row(row)


def new_id(result: CursorResult[Any]) -> int:
    """The integer primary key a one-row insert was given."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise FeedbackStoreError("the database returned no id for an insert; check the schema")
    return int(key[0])
