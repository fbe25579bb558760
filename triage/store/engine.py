"""Database URLs and engines: SQLite made durable (WAL, synchronous=FULL), any SQLAlchemy URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from triage.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///.triage/triage.db"
"""The service's and the CLI's store unless `TRIAGE_DATABASE_URL` or `--database-url` says else."""


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
    try:
        parsed = sa.make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, pool_pre_ping=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigError(
            f"database URL {url!r} is not usable ({exc}); fix TRIAGE_DATABASE_URL"
        ) from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine
