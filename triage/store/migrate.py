"""The store's schema: the Alembic migrations in `migrations/`, the one way a database is created
or upgraded, by the CLI and the service alike."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from triage.errors import FeedbackStoreError
from triage.store.retry import is_transient

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
RACE_WAIT_S = 1.0
"""Wait before a retry when another worker was migrating at the same moment."""
RACE_ATTEMPTS = 5
"""Tries in all: each waits up to the busy timeout for the lock, so a slow migration on a
loaded machine (several revisions, four workers queueing) still lets every worker in."""
PG_LOCK_KEY = 0x7472_6961_6765  # "triage": the advisory lock that serialises migrations


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config for `migrations/`, bound to `engine` when given (else env.py's URL)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def known_revisions() -> set[str]:
    """Every revision id in `migrations/versions`."""
    return {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def head_revision() -> str:
    """The newest revision in `migrations/versions`."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise FeedbackStoreError(f"{MIGRATIONS}: no migration found; reinstall triage")
    return head


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is stamped with (None for an empty database)."""
    if not sa.inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def lock_schema(connection: Connection) -> None:
    """Serialise migrations for the rest of `connection`'s transaction (`migrations/env.py`).

    Workers starting at once on an empty database would otherwise each create half the tables.
    SQLite: an explicit exclusive transaction (the DDL then runs in it too; others wait up to
    the busy timeout). PostgreSQL: a transaction-level advisory lock. The waiting worker then
    finds the schema at head and has nothing to do.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN EXCLUSIVE")
    elif connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})


def upgrade_to_head(engine: Engine) -> str:
    """Create or upgrade the schema to the newest revision; returns it.

    A database at a revision this code does not know (written by a newer triage) is refused.
    Workers starting at once take turns (`lock_schema`); should one still lose a race (a lock
    wait past SQLite's busy timeout, or a database without such a lock), it waits and retries,
    `RACE_ATTEMPTS` tries in all (the winner has migrated by then).
    """
    where = engine.url.render_as_string(hide_password=True)
    for attempt in range(1, RACE_ATTEMPTS + 1):
        try:
            _refuse_unknown(engine)
            command.upgrade(alembic_config(engine), "head")
            break
        except sa.exc.DBAPIError as exc:
            if attempt == RACE_ATTEMPTS or not is_transient(exc):
                raise FeedbackStoreError(
                    f"cannot open or migrate database {where}: {exc.orig}; "
                    "check TRIAGE_DATABASE_URL"
                ) from exc
            logger.warning("schema migration raced another worker (%s); retrying", exc.orig)
            time.sleep(RACE_WAIT_S)
    head = head_revision()
    logger.info("feedback database ready at schema %s", head)
    return head


def _refuse_unknown(engine: Engine) -> None:
    revision = schema_revision(engine)
    if revision is not None and revision not in known_revisions():
        raise FeedbackStoreError(
            f"database is at schema revision {revision}, which this triage does not know "
            f"(newest known: {head_revision()}); upgrade triage"
        )
