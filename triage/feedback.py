"""Durable store of predictions, agent feedback, resolved tickets and API keys (SQLAlchemy)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from triage.dataset import as_utc, ticket_from_row
from triage.errors import ConfigError, NotFoundError, TicketValueError, TriageError
from triage.schema import TARGETS, Ticket

logger = logging.getLogger(__name__)

SCOPES: tuple[str, ...] = ("triage", "agent", "admin")
"""`triage`: ticket systems; `agent`: feedback and search; `admin`: reload, stats (implies all)."""
OUTCOMES: tuple[str, ...] = ("accepted", "corrected", "rejected", "rated")
"""`accepted` / `corrected` / `rejected`: a verdict on the predicted labels (the latest one counts).
`rated`: no verdict on the labels, only which similar ticket or KB article helped or did not."""
VERDICTS: tuple[str, ...] = ("accepted", "corrected", "rejected")
SCHEMA_REVISION = "0001_initial"
"""The Alembic head this module's tables match (checked by a test against `api/migrations`)."""
DEFAULT_URL = "sqlite:///.triage/triage.db"
KEY_PREFIX = "trk"

metadata = sa.MetaData()

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("key_id", sa.String(32), primary_key=True),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("scopes", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)
predictions = sa.Table(
    "predictions",
    metadata,
    sa.Column("prediction_id", sa.String(32), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("model_version", sa.String(200), nullable=False),
    sa.Column("ticket_id", sa.String(200), nullable=False, index=True),
    sa.Column("ticket", sa.JSON, nullable=False),
    sa.Column("labels", sa.JSON, nullable=False),
)
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("feedback_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "prediction_id",
        sa.String(32),
        sa.ForeignKey("predictions.prediction_id"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("corrections", sa.JSON, nullable=False),
    sa.Column("solved_by_ticket_id", sa.String(200), nullable=True),
    sa.Column("kb_article_id", sa.String(200), nullable=True),
    sa.Column("kb_helpful", sa.Boolean, nullable=True),
    sa.Column("agent", sa.String(200), nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
)
resolved_tickets = sa.Table(
    "resolved_tickets",
    metadata,
    sa.Column("resolved_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(200), nullable=False, index=True),
    sa.Column("prediction_id", sa.String(32), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ticket", sa.JSON, nullable=False),
)


class FeedbackStoreError(TriageError):
    """The feedback database cannot be opened, is at an unknown schema or refused a write."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored API key: only the SHA-256 of the secret is kept."""

    key_id: str
    key_hash: str
    scopes: frozenset[str]
    name: str
    created_at: datetime
    revoked_at: datetime | None = None

    def allows(self, scope: str) -> bool:
        """True if the key holds `scope` (admin holds every scope) and is not revoked."""
        return self.revoked_at is None and (scope in self.scopes or "admin" in self.scopes)


@dataclass(frozen=True, slots=True)
class PredictionRecord:
    """One answered triage: the input ticket and, per target, label, confidence and action."""

    prediction_id: str
    ticket: Ticket
    model_version: str
    labels: dict[str, dict[str, Any]]
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """What an agent did with a prediction."""

    prediction_id: str
    outcome: str
    corrections: dict[str, str] = field(default_factory=dict)
    solved_by_ticket_id: str | None = None
    kb_article_id: str | None = None
    kb_helpful: bool | None = None
    agent: str | None = None
    comment: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise FeedbackStoreError(f"outcome {self.outcome!r} unknown; use one of {OUTCOMES}")
        unknown = set(self.corrections) - set(TARGETS)
        if unknown:
            raise FeedbackStoreError(
                f"corrections for unknown targets {sorted(unknown)}; use {TARGETS}"
            )


@dataclass(frozen=True, slots=True)
class ResolvedRecord:
    """A ticket closed in the ticket system with its final labels (the value at close)."""

    ticket: Ticket
    prediction_id: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class FeedbackStore(Protocol):
    """Where the service keeps what it predicted and what people did with it."""

    def record_predictions(self, records: Sequence[PredictionRecord]) -> None: ...

    def has_prediction(self, prediction_id: str) -> bool: ...

    def record_feedback(self, record: FeedbackRecord) -> int: ...

    def record_resolved(self, record: ResolvedRecord) -> int: ...

    def add_key(self, key: ApiKey) -> None: ...

    def get_key(self, key_id: str) -> ApiKey | None: ...

    def iter_predictions(self, since: datetime | None = None) -> Iterator[PredictionRecord]: ...

    def recent_predictions(self, limit: int) -> list[PredictionRecord]: ...

    def iter_feedback(self, since: datetime | None = None) -> Iterator[FeedbackRecord]: ...

    def iter_resolved(self, since: datetime | None = None) -> Iterator[ResolvedRecord]: ...

    def close(self) -> None: ...


def _ticket_to_json(ticket: Ticket) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in ticket.to_dict().items()}


_TIMESTAMPS = ("created_at", "first_response_at", "resolved_at", "closed_at")


def _ticket_from_json(data: dict[str, Any]) -> Ticket:
    row = dict(data)
    for name in _TIMESTAMPS:
        if isinstance(row.get(name), str):
            row[name] = datetime.fromisoformat(row[name])
    return ticket_from_row(row)


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, synchronous=FULL (durable commits) and a busy timeout.

    The parent folder of a SQLite file is created when missing.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = sa.create_engine(url, pool_pre_ping=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigError(
            f"database URL {url!r} is not usable ({exc}); fix TRIAGE_DATABASE_URL"
        ) from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is stamped with (None for an empty database)."""
    if not sa.inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def initialise_schema(engine: Engine) -> None:
    """Create the tables on an empty database and stamp it at `SCHEMA_REVISION`.

    This is Alembic's "create_all, then stamp head" recipe, for the CLI (which cannot run the
    service's migration scripts). A database at another revision is refused.
    """
    revision = schema_revision(engine)
    if revision == SCHEMA_REVISION:
        return
    if revision is not None:
        raise FeedbackStoreError(
            f"database is at schema revision {revision}, this code expects {SCHEMA_REVISION}; "
            "start the service once (it runs the migrations) or upgrade triage"
        )
    with engine.begin() as conn:
        metadata.create_all(conn)
        conn.execute(
            sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        )
        conn.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": SCHEMA_REVISION})
    logger.info("created feedback database schema at revision %s", SCHEMA_REVISION)


class SqlFeedbackStore:
    """`FeedbackStore` on any SQLAlchemy URL; every write commits before it returns."""

    def __init__(self, url: str = DEFAULT_URL, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)

    @classmethod
    def open(cls, url: str = DEFAULT_URL) -> SqlFeedbackStore:
        """Open a store, creating and stamping the schema on an empty database."""
        store = cls(url)
        try:
            initialise_schema(store.engine)
        except sa.exc.OperationalError as exc:
            raise FeedbackStoreError(f"cannot open database {url!r}: {exc.orig}") from exc
        return store

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
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(api_keys).where(api_keys.c.key_id == key_id))
                .mappings()
                .first()
            )
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
            rows = conn.execute(query.order_by(predictions.c.created_at)).mappings()
            for row in rows:
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
            rows = conn.execute(query.order_by(feedback.c.feedback_id)).mappings()
            for row in rows:
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


def _prediction_of(row: Any) -> PredictionRecord:
    return PredictionRecord(
        prediction_id=row["prediction_id"],
        ticket=_ticket_from_json(row["ticket"]),
        model_version=row["model_version"],
        labels=row["labels"],
        created_at=as_utc(row["created_at"]),
    )


def _since(query: Any, column: Any, since: datetime | None) -> Any:
    # UTC, as the rows are written: SQLite compares the stored text, without its offset.
    return query if since is None else query.where(column > as_utc(since))


# ---------------------------------------------------------------- API keys


def hash_key(plaintext: str) -> str:
    """SHA-256 hex of a presented key (keys are 256-bit random, so a fast hash is adequate)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def parse_key_id(plaintext: str) -> str | None:
    """The public key id of `trk_<id>_<secret>`, or None if the text is not shaped like a key."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def create_key(store: FeedbackStore, scopes: Sequence[str], name: str = "") -> tuple[str, ApiKey]:
    """Issue a key: returns the plaintext (shown once, never stored) and the stored record."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ConfigError(
            f"scopes {sorted(unknown) or '(none)'} invalid; use one or more of {SCOPES}"
        )
    key_id = secrets.token_hex(6)
    plaintext = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    key = ApiKey(key_id, hash_key(plaintext), frozenset(scopes), name, datetime.now(UTC))
    store.add_key(key)
    logger.info("created API key %s with scopes %s", key_id, sorted(scopes))
    return plaintext, key


_DUMMY_HASH = hash_key("trk_000000000000_dummy")


def verify_key(store: FeedbackStore, plaintext: str) -> ApiKey | None:
    """The stored key matching a presented one (constant-time hash comparison), else None."""
    key_id = parse_key_id(plaintext)
    stored = store.get_key(key_id) if key_id else None
    expected = stored.key_hash if stored else _DUMMY_HASH
    matches = hmac.compare_digest(expected, hash_key(plaintext))
    if stored is None or not matches or stored.revoked_at is not None:
        return None
    return stored


def ensure_dev_key(store: FeedbackStore, path: Path) -> Path:
    """Write an admin development key to `path` once (mode 0600); later calls keep the file
    while the store still knows the key (a fresh database gets a fresh key in the same file).

    Logs where the key is, never the key itself.
    """
    existing = path.read_text().strip() if path.is_file() else ""
    if existing and verify_key(store, existing) is not None:
        logger.info("development API key in %s", path)
        return path
    plaintext, _ = create_key(store, ["admin"], name="development key")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(plaintext + "\n")
    logger.warning("created a development API key (scope admin) in %s", path)
    return path


# ---------------------------------------------------------------- production report and export


def _final_labels(ticket: Ticket) -> dict[str, str]:
    values = ticket.to_dict()
    return {t: str(values[t]) for t in TARGETS if values.get(t) is not None}


def _latest_feedback(store: FeedbackStore) -> dict[str, FeedbackRecord]:
    """The latest verdict on each prediction's labels (`rated` rows carry none)."""
    return {f.prediction_id: f for f in store.iter_feedback() if f.outcome in VERDICTS}


def _join_resolved(
    preds: list[PredictionRecord], resolved: list[ResolvedRecord]
) -> list[tuple[PredictionRecord, dict[str, str]]]:
    """(prediction, final labels) pairs: by prediction_id if given, else the ticket's last one."""
    by_id = {p.prediction_id: p for p in preds}
    by_ticket = {p.ticket.ticket_id: p for p in preds}
    pairs = []
    for r in resolved:
        pred = by_id.get(r.prediction_id or "") or by_ticket.get(r.ticket.ticket_id)
        if pred is not None:
            pairs.append((pred, _final_labels(r.ticket)))
    return pairs


def _target_report(target: str, preds: list[PredictionRecord], pairs: list[Any]) -> dict[str, Any]:
    actions = [p.labels[target]["action"] for p in preds if target in p.labels]
    coverage = (
        {a: actions.count(a) / len(actions) for a in ("auto", "suggest", "review")}
        if actions
        else {}
    )
    judged = [
        (p.labels[target], final[target])
        for p, final in pairs
        if target in p.labels and target in final
    ]
    auto = [(lab, fin) for lab, fin in judged if lab["action"] == "auto"]
    return {
        "coverage": coverage,
        "judged": len(judged),
        "precision": _share(judged),
        "auto_judged": len(auto),
        "auto_precision": _share(auto),
    }


def _share(pairs: list[tuple[dict[str, Any], str]]) -> float | None:
    if not pairs:
        return None
    return sum(str(lab["label"]) == fin for lab, fin in pairs) / len(pairs)


def production_report(store: FeedbackStore, since: datetime | None = None) -> dict[str, Any]:
    """Production metrics: per target coverage by action and precision against the value at close,
    feedback outcomes and KB acceptance (helpful / rated). Ratios in [0, 1], None when undefined.

    With `since`, only predictions, feedback and resolved tickets recorded after it count (a
    ticket resolved in the window whose prediction is older is not joined).
    """
    preds = list(store.iter_predictions(since))
    resolved = list(store.iter_resolved(since))
    fb = list(store.iter_feedback(since))
    pairs = _join_resolved(preds, resolved)
    rated = [f.kb_helpful for f in fb if f.kb_helpful is not None]
    outcomes = {o: sum(f.outcome == o for f in fb) for o in OUTCOMES}
    return {
        "since": since.isoformat() if since else None,
        "predictions": len(preds),
        "feedback": len(fb),
        "resolved": len(resolved),
        "resolved_with_prediction": len(pairs),
        "feedback_outcomes": outcomes,
        "kb_rated": len(rated),
        "kb_acceptance": sum(rated) / len(rated) if rated else None,
        "targets": {t: _target_report(t, preds, pairs) for t in TARGETS},
    }


def _label_value(target: str, label: str) -> str | int:
    return int(label) if target == "support_line" else label


def _labelled(pred: PredictionRecord, fb: FeedbackRecord) -> Ticket | None:
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
        logger.warning("prediction %s skipped in export: %s", pred.prediction_id, exc)
        return None


def labelled_tickets(store: FeedbackStore) -> tuple[list[Ticket], dict[str, int]]:
    """Tickets with labels agents confirmed: accepted or corrected predictions, overridden by the
    final labels of resolved tickets (the value at close wins). Returns tickets and counts.
    """
    latest = _latest_feedback(store)
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


def export_labelled(store: FeedbackStore, out: Path) -> dict[str, Any]:
    """Write `labelled_tickets` as a normalised tickets Parquet file that `triage train` reads."""
    from triage.dataset import write_tickets

    tickets, counts = labelled_tickets(store)
    if not tickets:
        raise FeedbackStoreError("no labelled tickets yet: nothing accepted, corrected or resolved")
    write_tickets(tickets, out)
    return {"path": str(out), "tickets": len(tickets), **counts}
