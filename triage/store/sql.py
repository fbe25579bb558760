"""`SqlFeedbackStore` on any SQLAlchemy URL, and `open_store`, which migrates it first."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from triage import errors
from triage.dataset import as_utc
from triage.errors import FeedbackStoreError, NotFoundError, WriteConflict
from triage.store import desired, ticket_log
from triage.store.codec import new_id
from triage.store.codec import ticket_from_json as _ticket_from_json
from triage.store.codec import ticket_to_json as _ticket_to_json
from triage.store.engine import DEFAULT_DATABASE_URL, DEFAULT_LOCK_TIMEOUT_S, make_engine
from triage.store.migrate import upgrade_to_head
from triage.store.records import (
    ApiKey,
    FeedbackRecord,
    PredictionLabels,
    PredictionRecord,
    ResolvedRecord,
    TicketWrite,
)
from triage.store.retry import with_retry
from triage.store.tables import api_keys, feedback, predictions, resolved_tickets, ticket_history

T = TypeVar("T")


def open_store(
    url: str = DEFAULT_DATABASE_URL, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S
) -> SqlFeedbackStore:
    """The store at `url`, its schema created or upgraded to the newest migration first.

    `lock_timeout_s`: how long a statement waits for a lock another connection holds before
    it fails and is retried (`triage.store.retry`). `FeedbackStoreError` when the database
    cannot be reached or is at an unknown revision.
    """
    store = SqlFeedbackStore(url, make_engine(url, lock_timeout_s))
    try:
        upgrade_to_head(store.engine)
    except FeedbackStoreError:
        store.close()
        raise
    return store


def _prediction_of(row: Any) -> PredictionRecord:
    return PredictionRecord(
        prediction_id=row["prediction_id"],
        ticket=_ticket_from_json(row["ticket"]),
        model_version=row["model_version"],
        labels=row["labels"],
        created_at=as_utc(row["created_at"]),
    )


def _history_row(conn: Any, record: ResolvedRecord, resolved_id: int) -> dict[str, Any]:
    ticket_id = record.ticket.ticket_id
    latest = conn.execute(
        sa.select(sa.func.max(ticket_history.c.version)).where(
            ticket_history.c.ticket_id == ticket_id
        )
    ).scalar_one()
    return {
        "ticket_id": ticket_id,
        "version": int(latest or 0) + 1,
        "key_id": record.key_id,
        "resolved_id": resolved_id,
        "created_at": record.created_at,
    }


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _since(query: Any, column: Any, since: datetime | None) -> Any:
    # UTC, as the rows are written: SQLite compares the stored text, without its offset.
    return query if since is None else query.where(column > as_utc(since))


class SqlFeedbackStore:
    """`FeedbackStore` on any SQLAlchemy URL; every write commits before it returns.

    Construct it through `open_store`, which brings the schema to the newest migration.
    Concurrency errors are retried (`triage.store.retry`), then raised as `StoreBusyError`;
    `on_write_failure(operation)` is called for every write that fails (the service counts
    them in /metrics).
    """

    def __init__(self, url: str = DEFAULT_DATABASE_URL, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.on_write_failure: Callable[[str], None] | None = None

    def _transaction(self, operation: str, run: Callable[[], T]) -> T:
        try:
            return with_retry(operation, run)
        except sa.exc.IntegrityError as exc:
            self._failed(operation)
            raise FeedbackStoreError(f"write refused by the database: {exc.orig}") from exc
        except (errors.TriageError, sa.exc.DBAPIError):
            self._failed(operation)
            raise

    def _failed(self, operation: str) -> None:
        if self.on_write_failure is not None:
            self.on_write_failure(operation)

    def _write(
        self, operation: str, statement: Any, rows: Sequence[dict[str, Any]] | dict[str, Any]
    ) -> Any:
        def run() -> Any:
            with self.engine.begin() as conn:
                return conn.execute(statement, rows)

        return self._transaction(operation, run)

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
        self._write("record_predictions", predictions.insert(), rows)

    def has_prediction(self, prediction_id: str) -> bool:
        """True if a prediction with this id was stored."""
        query = sa.select(predictions.c.prediction_id).where(
            predictions.c.prediction_id == prediction_id
        )

        def run() -> bool:
            with self.engine.connect() as conn:
                return conn.execute(query).first() is not None

        return with_retry("has_prediction", run)

    def prediction_ticket_id(self, prediction_id: str) -> str | None:
        """The ticket id a stored prediction was made for; None for an unknown prediction."""
        query = sa.select(predictions.c.ticket_id).where(
            predictions.c.prediction_id == prediction_id
        )

        def run() -> str | None:
            with self.engine.connect() as conn:
                found = conn.execute(query).first()
            return None if found is None else str(found[0])

        return with_retry("prediction_ticket_id", run)

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
            "key_id": record.key_id,
        }
        return int(self._write("record_feedback", feedback.insert(), row).inserted_primary_key[0])

    def record_resolved(self, record: ResolvedRecord, seen_writes: int | None = None) -> int:
        """Store a resolved ticket and its history row (next version, with the writing key) in
        one transaction, committed on return.

        `seen_writes`: how many writes of the ticket the caller saw when it checked who may
        write; if another landed since, `WriteConflict` (nothing stored). Two writes of one
        ticket at the same instant cannot take the same version either: the loser raises it.
        """
        row = {
            "ticket_id": record.ticket.ticket_id,
            "prediction_id": record.prediction_id,
            "created_at": record.created_at,
            "ticket": _ticket_to_json(record.ticket),
        }

        def run() -> int:
            try:
                with self.engine.begin() as conn:
                    inserted = conn.execute(resolved_tickets.insert(), row)
                    resolved_id = new_id(inserted)
                    history = _history_row(conn, record, resolved_id)
                    if seen_writes is not None and history["version"] != seen_writes + 1:
                        raise WriteConflict(
                            f"ticket {record.ticket.ticket_id} was changed by another key while "
                            "this write was checked; send it again"
                        )
                    conn.execute(ticket_history.insert(), history)
                    ticket_log.append(conn, resolved_id, record.created_at)
            except sa.exc.IntegrityError as exc:
                raise WriteConflict(
                    f"ticket {record.ticket.ticket_id} was written by another request at the "
                    "same moment; send it again"
                ) from exc
            return resolved_id

        return self._transaction("record_resolved", run)

    def ticket_log_head(self) -> int:
        """The newest ticket-log id (0 when empty)."""
        return with_retry("ticket_log_head", lambda: ticket_log.head(self.engine))

    def read_ticket_log(
        self, after: int, upto: int | None = None, since: datetime | None = None
    ) -> list[ticket_log.LogEntry]:
        """Resolved tickets logged with `after` < id <= `upto` (after `since`), oldest first."""
        return with_retry(
            "read_ticket_log", lambda: ticket_log.read(self.engine, after, upto, since)
        )

    def request_bundle(self, bundle_dir: str) -> desired.DesiredBundle:
        """Record the bundle every worker should serve from now on."""
        return self._transaction("request_bundle", lambda: desired.request(self.engine, bundle_dir))

    def desired_bundle(self) -> desired.DesiredBundle | None:
        """The newest reload request, or None."""
        return with_retry("desired_bundle", lambda: desired.current(self.engine))

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
        self._write("add_key", api_keys.insert(), row)

    def get_key(self, key_id: str) -> ApiKey | None:
        """The stored key with this public id, or None."""
        query = sa.select(api_keys).where(api_keys.c.key_id == key_id)

        def run() -> Any:
            with self.engine.connect() as conn:
                return conn.execute(query).mappings().first()

        row = with_retry("get_key", run)
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

    def iter_prediction_labels(self, since: datetime | None = None) -> Iterator[PredictionLabels]:
        """Like `iter_predictions` without the tickets (their JSON is most of the decoding cost)."""
        columns = [predictions.c[n] for n in ("prediction_id", "ticket_id", "labels", "created_at")]
        query = _since(sa.select(*columns), predictions.c.created_at, since)
        with self.engine.connect() as conn:
            for row in conn.execute(query.order_by(predictions.c.created_at)).mappings():
                yield PredictionLabels(
                    prediction_id=row["prediction_id"],
                    ticket_id=row["ticket_id"],
                    labels=row["labels"],
                    created_at=as_utc(row["created_at"]),
                )

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

    def ticket_history(self, ticket_id: str) -> list[TicketWrite]:
        """Every recorded write of `ticket_id`, oldest (the owner's) first."""
        query = (
            sa.select(ticket_history)
            .where(ticket_history.c.ticket_id == ticket_id)
            .order_by(ticket_history.c.version)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            TicketWrite(
                r["ticket_id"], r["version"], r["key_id"], r["resolved_id"], as_utc(r["created_at"])
            )
            for r in rows
        ]

    def count_feedback(self, key_id: str, since: datetime) -> int:
        """How many feedback rows `key_id` sent after `since`."""
        query = _since(
            sa.select(sa.func.count()).select_from(feedback).where(feedback.c.key_id == key_id),
            feedback.c.created_at,
            since,
        )

        def run() -> int:
            with self.engine.connect() as conn:
                return int(conn.execute(query).scalar_one())

        return with_retry("count_feedback", run)

    def purge_feedback(self, key_id: str) -> int:
        """Delete every feedback row `key_id` sent (committed on return); how many."""
        with self.engine.begin() as conn:
            return int(conn.execute(feedback.delete().where(feedback.c.key_id == key_id)).rowcount)

    def revoke_key(self, key_id: str) -> ApiKey:
        """Mark a key revoked now (kept for the record); `NotFoundError` for an unknown id."""
        key = self.get_key(key_id)
        if key is None:
            raise NotFoundError(f"API key {key_id} not found; list ids with the key's creator")
        if key.revoked_at is None:
            with self.engine.begin() as conn:
                stamp = {"revoked_at": datetime.now(UTC)}
                conn.execute(api_keys.update().where(api_keys.c.key_id == key_id), stamp)
        revoked = self.get_key(key_id)
        assert revoked is not None
        return revoked

    def last_revocation(self) -> datetime | None:
        """When a key was last revoked (None: never): workers compare it to drop cached keys."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(sa.func.max(api_keys.c.revoked_at))).scalar_one()
        if isinstance(value, str):  # SQLite returns max() of a datetime column as text
            value = datetime.fromisoformat(value)
        return _aware(value)

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()
