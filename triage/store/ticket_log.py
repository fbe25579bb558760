"""The resolved-ticket log: appended in commit order, read by every worker after its cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from triage.dataset import as_utc
from triage.schema import Ticket
from triage.store.codec import new_id, ticket_from_json
from triage.store.tables import resolved_tickets, ticket_log

LOG_LOCK_KEY = 0x7472_6961_6765_6C67  # "triagelg": the advisory lock log writers take turns on


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One resolved ticket as the log hands it out."""

    log_id: int
    ticket: Ticket
    logged_at: datetime


def append(conn: Connection, resolved_id: int, created_at: datetime) -> int:
    """Log a resolved ticket in the transaction that stored it; returns its log id.

    PostgreSQL hands out serial ids at insert, not at commit: two writers could commit id 7
    before id 6, and a worker that read up to 7 would skip 6 for ever. The transaction-level
    advisory lock makes log writers take turns until they commit, so ids commit in order.
    SQLite has one writer at a time anyway.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_LOCK_KEY})
    row = {"resolved_id": resolved_id, "created_at": as_utc(created_at)}
    return new_id(conn.execute(ticket_log.insert(), row))


def head(engine: Engine) -> int:
    """The newest committed log id (0 for an empty log)."""
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.max(ticket_log.c.log_id))).scalar() or 0)


def read(
    engine: Engine,
    after: int,
    upto: int | None = None,
    since: datetime | None = None,
    limit: int = 10_000,
) -> list[LogEntry]:
    """Entries with `after` < log id <= `upto` (and logged after `since`), oldest first, at
    most `limit`. Erased resolved tickets are gone from the log too (the join drops them)."""
    query = (
        sa.select(ticket_log.c.log_id, ticket_log.c.created_at, resolved_tickets.c.ticket)
        .join(resolved_tickets, resolved_tickets.c.resolved_id == ticket_log.c.resolved_id)
        .where(ticket_log.c.log_id > after)
        .order_by(ticket_log.c.log_id)
        .limit(limit)
    )
    if upto is not None:
        query = query.where(ticket_log.c.log_id <= upto)
    if since is not None:
        query = query.where(ticket_log.c.created_at > as_utc(since))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [LogEntry(int(r.log_id), ticket_from_json(r.ticket), as_utc(r.created_at)) for r in rows]
