"""Alembic environment: the engine `upgrade_to_head` passes, else TRIAGE_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

from triage.store.engine import DEFAULT_DATABASE_URL, make_engine
from triage.store.migrate import lock_schema
from triage.store.tables import metadata

config = context.config


def run() -> None:
    engine = config.attributes.get("engine") or make_engine(
        os.environ.get("TRIAGE_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    with engine.begin() as connection:
        lock_schema(connection)  # several workers may start on an empty database at once
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        context.run_migrations()


run()
