"""Erasure in the store: find a person's tickets, delete their rows, keep an audit and the keyed
hashes of erased ticket ids (so no bundle or replay brings them back)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from triage.store.tables import (
    erased_tickets,
    erasure_audit,
    feedback,
    incident_tickets,
    predictions,
    resolved_tickets,
    ticket_history,
    ticket_log,
)

_CHUNK = 500  # ids per IN (...) clause: well under SQLite's and PostgreSQL's parameter limits


def _chunks(ids: Collection[str]) -> Iterable[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def tickets_of_requester(engine: Engine, matches: Callable[[str | None], bool]) -> set[str]:
    """Ids of stored tickets (predicted or resolved) whose requester field `matches` (the
    person's pseudonym, or their raw identity in rows stored before redaction).

    The requester sits inside the stored ticket (JSON), so rows are read and compared here:
    portable across SQLite and PostgreSQL, and an erasure is rare."""
    found: set[str] = set()
    with engine.connect() as conn:
        for table in (predictions, resolved_tickets):
            for ticket_id, ticket in conn.execute(sa.select(table.c.ticket_id, table.c.ticket)):
                if matches((ticket or {}).get("requester")):
                    found.add(ticket_id)
    return found


def tickets_older_than(engine: Engine, cutoff: datetime) -> set[str]:
    """Ids of tickets whose every stored row (prediction or resolution) is older than `cutoff`."""
    newest: dict[str, datetime] = {}
    with engine.connect() as conn:
        for table in (predictions, resolved_tickets):
            query = sa.select(table.c.ticket_id, sa.func.max(table.c.created_at))
            for ticket_id, latest in conn.execute(query.group_by(table.c.ticket_id)):
                stamp = latest if latest.tzinfo else latest.replace(tzinfo=UTC)
                newest[ticket_id] = max(stamp, newest.get(ticket_id, stamp))
    return {t for t, latest in newest.items() if latest < cutoff}


def stored_texts(engine: Engine, ticket_ids: Collection[str]) -> list[str]:
    """The texts (subject and body, as embedded) of the stored rows of these tickets."""
    texts: list[str] = []
    with engine.connect() as conn:
        for chunk in _chunks(ticket_ids):
            for table in (predictions, resolved_tickets):
                rows = conn.execute(sa.select(table.c.ticket).where(table.c.ticket_id.in_(chunk)))
                texts.extend(_text(ticket) for (ticket,) in rows)
    return texts


def _text(ticket: dict[str, Any]) -> str:
    """`Ticket.text` of a stored ticket."""
    parts = [ticket.get("subject") or "", ticket.get("body") or ""]
    return "\n".join(p for p in parts if p)


def delete_tickets(engine: Engine, ticket_ids: Collection[str]) -> dict[str, int]:
    """Delete every row about these tickets in one transaction: their predictions, the feedback
    on those, their resolutions; a link to one from other feedback (`solved_by_ticket_id`) is
    cleared. Returns rows deleted per table."""
    counts = {"predictions": 0, "feedback": 0, "resolved_tickets": 0, "feedback_links": 0}
    counts |= {"ticket_history": 0, "ticket_log": 0, "incident_tickets": 0}
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if sqlite:  # overwrite deleted rows with zeros: a delete alone leaves them in free pages
            conn.exec_driver_sql("PRAGMA secure_delete = ON")
        for chunk in _chunks(ticket_ids):
            ids = sa.select(predictions.c.prediction_id).where(predictions.c.ticket_id.in_(chunk))
            counts["feedback"] += conn.execute(
                feedback.delete().where(feedback.c.prediction_id.in_(ids))
            ).rowcount
            counts["feedback_links"] += conn.execute(
                feedback.update()
                .where(feedback.c.solved_by_ticket_id.in_(chunk))
                .values(solved_by_ticket_id=None)
            ).rowcount
            counts["predictions"] += conn.execute(
                predictions.delete().where(predictions.c.ticket_id.in_(chunk))
            ).rowcount
            counts |= _delete_linked(conn, chunk, counts)
            counts["resolved_tickets"] += conn.execute(
                resolved_tickets.delete().where(resolved_tickets.c.ticket_id.in_(chunk))
            ).rowcount
    if sqlite:
        _checkpoint(engine)
    return counts


def _delete_linked(conn: Any, chunk: list[str], counts: dict[str, int]) -> dict[str, int]:
    """The rows that name a ticket besides its resolution: its write history, its ticket-log
    entries (SQLite does not cascade without foreign keys on) and its incident membership."""
    resolved = sa.select(resolved_tickets.c.resolved_id).where(
        resolved_tickets.c.ticket_id.in_(chunk)
    )
    deletes = {
        "ticket_log": ticket_log.delete().where(ticket_log.c.resolved_id.in_(resolved)),
        "ticket_history": ticket_history.delete().where(ticket_history.c.ticket_id.in_(chunk)),
        "incident_tickets": incident_tickets.delete().where(
            incident_tickets.c.ticket_id.in_(chunk)
        ),
    }
    return {name: counts[name] + conn.execute(stmt).rowcount for name, stmt in deletes.items()}


def _checkpoint(engine: Engine) -> None:
    """Copy the write-ahead log into the database and truncate it: the log still holds the
    pages as they were before the delete. (PostgreSQL keeps dead rows until VACUUM: run it.)"""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def record_erasure(
    engine: Engine,
    *,
    actor: str,
    kind: str,
    subject_hash: str,
    ticket_hashes: Collection[str],
    counts: dict[str, int],
) -> int:
    """Write the audit row and the erased tickets' hashes (one transaction); the audit id."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        known: set[str] = set()
        for chunk in _chunks(ticket_hashes):
            query = sa.select(erased_tickets.c.ticket_hash)
            known.update(
                conn.execute(query.where(erased_tickets.c.ticket_hash.in_(chunk))).scalars()
            )
        fresh = [{"ticket_hash": h, "erased_at": now} for h in sorted(set(ticket_hashes) - known)]
        if fresh:
            conn.execute(erased_tickets.insert(), fresh)
        row = {
            "created_at": now,
            "actor": actor[:200],
            "kind": kind,
            "subject_hash": subject_hash,
            "tickets": len(ticket_hashes),
            "counts": counts,
        }
        key = conn.execute(erasure_audit.insert(), row).inserted_primary_key
        return int(key[0]) if key is not None else 0


def erased_hashes(engine: Engine) -> set[str]:
    """Keyed hashes of every erased ticket id."""
    with engine.connect() as conn:
        return set(conn.execute(sa.select(erased_tickets.c.ticket_hash)).scalars())


def audit_log(engine: Engine, limit: int = 100) -> list[dict[str, Any]]:
    """The latest erasures, newest first (no personal data is in them)."""
    query = sa.select(erasure_audit).order_by(erasure_audit.c.audit_id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [{**row, "created_at": row["created_at"].isoformat()} for row in rows]
