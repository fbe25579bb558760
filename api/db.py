"""Opening the feedback database and running its Alembic migrations."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from triage.feedback import SqlFeedbackStore

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(store: SqlFeedbackStore) -> Config:
    """An Alembic config for `api/migrations` bound to the store's engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = store.engine
    return config


def head_revision() -> str:
    """The newest revision in `api/migrations`."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def open_store(url: str) -> SqlFeedbackStore:
    """The store at `url`, migrated to the newest schema.

    With several workers starting at once one may lose the race to create the tables; it waits
    and retries once (the winner has migrated by then).
    """
    store = SqlFeedbackStore(url)
    try:
        command.upgrade(alembic_config(store), "head")
    except sa.exc.OperationalError:
        logger.warning("migration raced another worker; retrying")
        time.sleep(1.0)
        command.upgrade(alembic_config(store), "head")
    logger.info("feedback database ready at schema %s", head_revision())
    return store
