"""Concurrency errors (a held lock, a serialisation failure, a dropped connection) retried with
backoff a bounded number of times, then raised as `StoreBusyError` (the API answers 503)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from triage.errors import StoreBusyError

logger = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 3
"""Tries per operation; with BACKOFF_S the waits between them are 0.05 s and 0.1 s."""
BACKOFF_S = 0.05
# PostgreSQL SQLSTATEs worth another try: serialization_failure, deadlock_detected,
# lock_not_available (lock_timeout), admin/crash shutdown, connection failures.
_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03", "57P01", "57P02", "57P03", "08000", "08001"}
_TRANSIENT_SQLSTATES |= {"08003", "08004", "08006"}
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")


def is_transient(exc: sa.exc.DBAPIError) -> bool:
    """True when trying again later may succeed (lock, conflict, lost connection)."""
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if sqlstate is not None:
        return str(sqlstate) in _TRANSIENT_SQLSTATES
    return any(text in str(exc.orig).lower() for text in _SQLITE_BUSY)


def with_retry(
    operation: str,
    run: Callable[[], T],
    attempts: int = ATTEMPTS,
    backoff_s: float = BACKOFF_S,
) -> T:
    """`run()`, tried up to `attempts` times while it fails transiently, waiting `backoff_s`,
    then twice that, between tries. `StoreBusyError(operation)` when every try failed; other
    database errors propagate unchanged. `run` must be a whole transaction (safe to repeat)."""
    for attempt in range(attempts - 1):
        try:
            return run()
        except sa.exc.DBAPIError as exc:
            if not is_transient(exc):
                raise
            logger.warning("%s: transient database error, retrying: %s", operation, exc.orig)
            time.sleep(backoff_s * 2**attempt)
    try:
        return run()
    except sa.exc.DBAPIError as exc:
        if not is_transient(exc):
            raise
        raise StoreBusyError(
            operation,
            f"database busy during {operation} after {attempts} tries ({exc.orig}); "
            "retry in a moment",
        ) from exc
