"""Fixtures for the store tests: an empty database on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg import fresh_database

from triage.store.sql import SqlFeedbackStore, open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fb.db'}"
    server: str = request.getfixturevalue("postgres_url")
    return fresh_database(server, f"t_{request.node.name}".lower()[:60].replace("[", "_"))


@pytest.fixture()
def store(database_url: str) -> Iterator[SqlFeedbackStore]:
    """The store on `database_url`, opened the one way the CLI and the service open it."""
    s = open_store(database_url)
    yield s
    s.close()
