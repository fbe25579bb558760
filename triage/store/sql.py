"""`SqlFeedbackStore` on any SQLAlchemy URL, and `open_store`, which migrates it first."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from triage.dataset import as_utc, ticket_from_row
from triage.errors import FeedbackStoreError, NotFoundError
from triage.schema import Ticket
from triage.store.engine import DEFAULT_DATABASE_URL, make_engine
from triage.store.migrate import upgrade_to_head
from triage.store.records import ApiKey, FeedbackRecord, PredictionRecord, ResolvedRecord
from triage.store.tables import api_keys, feedback, predictions, resolved_tickets

_TIMESTAMPS = ("created_at", "first_response_at", "resolved_at", "closed_at")


def open_store(url: str = DEFAULT_DATABASE_URL) -> SqlFeedbackStore:
    """The store at `url`, its schema created or upgraded to the newest migration first.

    `FeedbackStoreError` when the database cannot be reached or is at an unknown revision.
    """
    store = SqlFeedbackStore(url)
    try:
        upgrade_to_head(store.engine)
    except FeedbackStoreError:
        store.close()
        raise
    return store


def _ticket_to_json(ticket: Ticket) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in ticket.to_dict().items()}


def _ticket_from_json(data: dict[str, Any]) -> Ticket:
    row = dict(data)
    for name in _TIMESTAMPS:
        if isinstance(row.get(name), str):
            row[name] = datetime.fromisoformat(row[name])
    return ticket_from_row(row)


def _prediction_of(row: Any) -> PredictionRecord:
    return PredictionRecord(
        prediction_id=row["prediction_id"],
        ticket=_ticket_from_json(row["ticket"]),
        model_version=row["model_version"],
        labels=row["labels"],
        created_at=as_utc(row["created_at"]),
    )


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _since(query: Any, column: Any, since: datetime | None) -> Any:
    # UTC, as the rows are written: SQLite compares the stored text, without its offset.
    return query if since is None else query.where(column > as_utc(since))


class SqlFeedbackStore:
    """`FeedbackStore` on any SQLAlchemy URL; every write commits before it returns.

    Construct it through `open_store`, which brings the schema to the newest migration.
    """

    def __init__(self, url: str = DEFAULT_DATABASE_URL, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)

    def _write(self, statement: Any, rows: Sequence[dict[str, Any]] | dict[str, Any]) -> Any:
        try:
            with self.engine.begin() as conn:
                return conn.execute(statement, rows)
        except sa.exc.IntegrityError as exc:
            raise FeedbackStoreError(f"write refused by the database: {exc.orig}") from exc

    def record_predictions(self, records: Sequence[PredictionRecord]) -> None:
        """Store predictions in one transaction (committed on return)."""
        if not records:
            return
        rows = [
            {
                "prediction_id": r.prediction_id,
                "created_at": r.created_at,
                "model_version": r.model_version,
                "ticket_id": r.ticket.ticket_id,
                "ticket": _ticket_to_json(r.ticket),
                "labels": r.labels,
            }
            for r in records
        ]
        self._write(predictions.insert(), rows)

    def has_prediction(self, prediction_id: str) -> bool:
        """True if a prediction with this id was stored."""
        query = sa.select(predictions.c.prediction_id).where(
            predictions.c.prediction_id == prediction_id
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def record_feedback(self, record: FeedbackRecord) -> int:
        """Store one feedback (committed on return); `NotFoundError` for an unknown prediction."""
        if not self.has_prediction(record.prediction_id):
            raise NotFoundError(
                f"prediction {record.prediction_id} not found; "
                "send the prediction_id that /v1/triage returned"
            )
        row = {
            "prediction_id": record.prediction_id,
            "created_at": record.created_at,
            "outcome": record.outcome,
            "corrections": record.corrections,
            "solved_by_ticket_id": record.solved_by_ticket_id,
            "kb_article_id": record.kb_article_id,
            "kb_helpful": record.kb_helpful,
            "agent": record.agent,
            "comment": record.comment,
        }
        return int(self._write(feedback.insert(), row).inserted_primary_key[0])

    def record_resolved(self, record: ResolvedRecord) -> int:
        """Store a resolved ticket (committed on return)."""
        row = {
            "ticket_id": record.ticket.ticket_id,
            "prediction_id": record.prediction_id,
            "created_at": record.created_at,
            "ticket": _ticket_to_json(record.ticket),
        }
        return int(self._write(resolved_tickets.insert(), row).inserted_primary_key[0])

    def add_key(self, key: ApiKey) -> None:
        """Store an API key (its hash only)."""
        row = {
            "key_id": key.key_id,
            "key_hash": key.key_hash,
            "scopes": ",".join(sorted(key.scopes)),
            "name": key.name,
            "created_at": key.created_at,
            "revoked_at": key.revoked_at,
        }
        self._write(api_keys.insert(), row)

    def get_key(self, key_id: str) -> ApiKey | None:
        """The stored key with this public id, or None."""
        query = sa.select(api_keys).where(api_keys.c.key_id == key_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return ApiKey(
            key_id=row["key_id"],
            key_hash=row["key_hash"],
            scopes=frozenset(s for s in row["scopes"].split(",") if s),
            name=row["name"],
            created_at=as_utc(row["created_at"]),
            revoked_at=_aware(row["revoked_at"]),
        )

    def iter_predictions(self, since: datetime | None = None) -> Iterator[PredictionRecord]:
        """Stored predictions (made after `since`, when given), oldest first."""
        query = _since(sa.select(predictions), predictions.c.created_at, since)
        with self.engine.connect() as conn:
            for row in conn.execute(query.order_by(predictions.c.created_at)).mappings():
                yield _prediction_of(row)

    def recent_predictions(self, limit: int) -> list[PredictionRecord]:
        """The `limit` latest predictions, newest first (what an agent reopens)."""
        query = sa.select(predictions).order_by(predictions.c.created_at.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_prediction_of(row) for row in conn.execute(query).mappings()]

    def iter_feedback(self, since: datetime | None = None) -> Iterator[FeedbackRecord]:
        """Stored feedback (given after `since`, when given), oldest first."""
        query = _since(sa.select(feedback), feedback.c.created_at, since)
        with self.engine.connect() as conn:
            for row in conn.execute(query.order_by(feedback.c.feedback_id)).mappings():
                values = {k: row[k] for k in FeedbackRecord.__dataclass_fields__}
                values["created_at"] = as_utc(values["created_at"])
                yield FeedbackRecord(**values)

    def iter_resolved(self, since: datetime | None = None) -> Iterator[ResolvedRecord]:
        """Resolved tickets (recorded after `since`, when given), oldest first."""
        query = _since(sa.select(resolved_tickets), resolved_tickets.c.created_at, since)
        with self.engine.connect() as conn:
            for row in conn.execute(query.order_by(resolved_tickets.c.resolved_id)).mappings():
                yield ResolvedRecord(
                    ticket=_ticket_from_json(row["ticket"]),
                    prediction_id=row["prediction_id"],
                    created_at=as_utc(row["created_at"]),
                )

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()
