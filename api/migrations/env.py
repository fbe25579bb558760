"""Alembic environment: uses the engine the service passes, else TRIAGE_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

from triage.feedback import DEFAULT_URL, make_engine, metadata

config = context.config


def run() -> None:
    engine = config.attributes.get("engine") or make_engine(
        os.environ.get("TRIAGE_DATABASE_URL", DEFAULT_URL)
    )
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        context.run_migrations()


run()
