"""Fixtures shared by every test folder: a real PostgreSQL server for the store tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pg import postgres_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the session (skips with a message where none is installed)."""
    with postgres_server() as url:
        yield url
