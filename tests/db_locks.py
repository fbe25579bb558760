"""A real held write lock from a second connection, to provoke concurrency errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def held_write_lock(url: str, table: str = "feedback") -> Iterator[None]:
    """Hold the write lock another connection would need, as a stuck writer would: SQLite's one
    database write lock (`BEGIN IMMEDIATE`), or PostgreSQL's `LOCK TABLE` on `table`."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = sa.create_engine(url)
    try:
        with engine.connect() as pg:
            pg.execute(sa.text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))
            try:
                yield
            finally:
                pg.rollback()
    finally:
        engine.dispose()
