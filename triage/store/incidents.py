"""Emerging incidents claimed through the store, so that several workers alert once per burst."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from triage.errors import FeedbackStoreError
from triage.store.tables import incident_tickets, incidents

LOOKUP_CHUNK = 500
"""Ticket ids per `IN (...)` query (well under SQLite's and PostgreSQL's parameter limits)."""


def worker_name() -> str:
    """`host:pid`: which worker claimed an incident, for the logs and the table."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Claim:
    """The incident that owns a burst's tickets, and whether this call made it the owner."""

    incident_id: str
    claimed: bool


class IncidentLedger:
    """Incidents recorded in the store: a ticket belongs to at most one of them.

    Each worker's monitor reads every worker's predictions from the store, so each raises the
    same burst; `claim` lets the first one record it (its tickets keyed by ticket id) and tells
    the others which incident already owns those tickets, so only the first sends the webhook.
    Two monitors need not agree on the incident id: one shared ticket is enough.
    """

    def __init__(self, engine: Engine, worker: str | None = None) -> None:
        self.engine, self.worker = engine, worker or worker_name()

    def claim(
        self,
        incident_id: str,
        ticket_ids: Sequence[str],
        first_at: datetime,
        alert_at: datetime,
        payload: dict[str, Any],
    ) -> Claim:
        """Record the incident unless one of its tickets already belongs to another.

        `FeedbackStoreError` when the database cannot be reached (the caller decides whether
        to alert anyway)."""
        try:
            owner = self.owner(ticket_ids)
            if owner is not None:
                return Claim(owner, claimed=False)
            self._insert(incident_id, ticket_ids, first_at, alert_at, payload)
            return Claim(incident_id, claimed=True)
        except sa.exc.IntegrityError:  # another worker claimed between our read and write
            return Claim(self.owner(ticket_ids) or incident_id, claimed=False)
        except sa.exc.SQLAlchemyError as exc:
            raise FeedbackStoreError(f"incident {incident_id} not recorded: {exc}") from exc

    def owner(self, ticket_ids: Sequence[str]) -> str | None:
        """The claimed incident one of `ticket_ids` belongs to, if any."""
        ids = list(dict.fromkeys(ticket_ids))
        with self.engine.connect() as conn:
            for start in range(0, len(ids), LOOKUP_CHUNK):
                chunk = ids[start : start + LOOKUP_CHUNK]
                query = sa.select(incident_tickets.c.incident_id).where(
                    incident_tickets.c.ticket_id.in_(chunk)
                )
                found = conn.execute(query.limit(1)).scalar()
                if found is not None:
                    return str(found)
        return None

    def _insert(
        self,
        incident_id: str,
        ticket_ids: Sequence[str],
        first_at: datetime,
        alert_at: datetime,
        payload: dict[str, Any],
    ) -> None:
        row = {
            "incident_id": incident_id,
            "first_at": first_at,
            "alert_at": alert_at,
            "claimed_at": datetime.now(UTC),
            "claimed_by": self.worker,
            "payload": payload,
        }
        members = [{"ticket_id": t, "incident_id": incident_id} for t in dict.fromkeys(ticket_ids)]
        with self.engine.begin() as conn:  # one transaction: the incident with all its tickets
            conn.execute(incidents.insert(), row)
            conn.execute(incident_tickets.insert(), members)

    def recorded(self) -> list[dict[str, Any]]:
        """Every claimed incident (id, times, worker, payload), oldest alert first."""
        query = sa.select(incidents).order_by(incidents.c.alert_at)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]


def ledger_for(store: object) -> IncidentLedger | None:
    """The incident ledger of a SQL store (the service's always is one); None for others."""
    engine = getattr(store, "engine", None)
    return IncidentLedger(engine) if isinstance(engine, Engine) else None
