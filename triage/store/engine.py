"""Database URLs and engines: SQLite made durable (WAL, synchronous=FULL), any SQLAlchemy URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from triage.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///.triage/triage.db"
"""The service's and the CLI's store unless `TRIAGE_DATABASE_URL` or `--database-url` says else."""
DEFAULT_LOCK_TIMEOUT_S = 5.0
"""How long a statement waits for a lock held elsewhere before failing (then retried)."""


def _sqlite_pragmas(lock_timeout_s: float) -> Any:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # The busy timeout first: switching a new database to WAL needs its lock, and workers
        # opening it at once would otherwise fail at once with "database is locked".
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_s * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return set_pragmas


def _connect_args(url: sa.URL, lock_timeout_s: float) -> dict[str, Any]:
    if url.get_backend_name() == "postgresql":  # a held lock fails the statement, then a retry
        return {"options": f"-c lock_timeout={int(lock_timeout_s * 1000)}"}
    return {}


def make_engine(url: str, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> Engine:
    """An engine for `url`; SQLite gets WAL, synchronous=FULL (durable commits) and a busy timeout.

    A statement waits at most `lock_timeout_s` for a lock another connection holds (SQLite's
    busy timeout, PostgreSQL's `lock_timeout`). The parent folder of a SQLite file is created
    when missing.
    """
    try:
        parsed = sa.make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        connect_args = _connect_args(parsed, lock_timeout_s)
        engine = sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigError(
            f"database URL {url!r} is not usable ({exc}); fix TRIAGE_DATABASE_URL"
        ) from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas(lock_timeout_s))
    return engine
