"""`triage serve`, `keys create|revoke`, `feedback dataset|purge`, `report production`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
import uvicorn

from training.cli.apps import app, feedback_app, keys_app, report_app
from training.cli.common import JsonOption, emit, handle_errors
from triage.dataset import not_tickets_file
from triage.outputs import check_file_out
from triage.store.dataset import write_labelled_dataset
from triage.store.engine import DEFAULT_DATABASE_URL
from triage.store.keys import create_key
from triage.store.protocol import FeedbackStore
from triage.store.report import production_report

DatabaseOption = typer.Option(
    None,
    "--database-url",
    help="SQLAlchemy URL (default: $TRIAGE_DATABASE_URL or the local SQLite file).",
)


def _database_url(given: str | None) -> str:
    return given or os.environ.get("TRIAGE_DATABASE_URL") or DEFAULT_DATABASE_URL


def _database_file(url: str) -> Path | None:
    """A SQLite database's file (an input no output may replace); None for a server."""
    import sqlalchemy as sa

    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        return None  # `_store` says what is wrong with it
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


@contextmanager
def _store(database_url: str | None) -> Iterator[FeedbackStore]:
    """The feedback store at `database_url` (or the default), migrated like the service does it,
    closed afterwards."""
    # Lazy: `triage.store.sql` imports Alembic (~0.3 s), which only the store commands need.
    from triage.store.sql import open_store

    store = open_store(_database_url(database_url))
    try:
        yield store
    finally:
        store.close()


@app.command("serve")
@handle_errors
def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", envvar="TRIAGE_HOST", help="Interface to bind."
    ),
    port: int = typer.Option(
        8000, "--port", envvar="TRIAGE_PORT", min=1, max=65535, help="TCP port."
    ),
    workers: int = typer.Option(
        1, "--workers", envvar="TRIAGE_WORKERS", min=1, max=64, help="Worker processes."
    ),
    bundle: Path | None = typer.Option(
        None, "--bundle", help="Bundle folder (sets TRIAGE_BUNDLE_DIR)."
    ),
    database_url: str | None = DatabaseOption,
    dev_key_file: Path | None = typer.Option(
        None, "--dev-key-file", help="Create an admin development key in this file on first start."
    ),
    keep_alive: float = typer.Option(
        75.0,
        "--keep-alive",
        envvar="TRIAGE_KEEP_ALIVE_S",
        min=1.0,
        help="Seconds an idle HTTP connection stays open; keep it above any client's or load "
        "balancer's idle timeout, or a reused connection can be closed under a request.",
    ),
) -> None:
    """Serve the HTTP API with uvicorn (settings from TRIAGE_* variables; see the README table)."""
    if bundle is not None:
        os.environ["TRIAGE_BUNDLE_DIR"] = str(bundle)
    if database_url is not None:
        os.environ["TRIAGE_DATABASE_URL"] = database_url
    if dev_key_file is not None:
        os.environ["TRIAGE_DEV_KEY_FILE"] = str(dev_key_file)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        timeout_keep_alive=int(keep_alive),
    )


@keys_app.command("create")
@handle_errors
def keys_create(
    scope: list[str] = typer.Option(
        ..., "--scope", help="triage, agent, lead or admin (repeatable)."
    ),
    name: str = typer.Option("", "--name", help="Who the key is for."),
    database_url: str | None = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Issue an API key and print it once (only its hash is stored)."""
    with _store(database_url) as store:
        plaintext, key = create_key(store, scope, name)
    summary = {"key": plaintext, "key_id": key.key_id, "scopes": sorted(key.scopes), "name": name}
    emit(
        summary,
        as_json,
        human=f"{plaintext}\n(key {key.key_id}, scopes {sorted(key.scopes)}; "
        "shown once, store it now)",
    )


@keys_app.command("revoke")
@handle_errors
def keys_revoke(
    key_id: str = typer.Argument(..., help="The key's public id (`trk_<id>_...`)."),
    database_url: str | None = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Revoke an API key: every running service refuses it within TRIAGE_KEY_RECHECK_S (1 s)."""
    with _store(database_url) as store:
        key = store.revoke_key(key_id)
    revoked_at = key.revoked_at.isoformat() if key.revoked_at else None
    emit({"key_id": key.key_id, "revoked_at": revoked_at}, as_json)


@feedback_app.command("purge")
@handle_errors
def feedback_purge(
    key_id: str = typer.Option(..., "--key-id", help="Delete every feedback this key sent."),
    database_url: str | None = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Delete one key's feedback (e.g. a compromised key's), so no training export uses it."""
    with _store(database_url) as store:
        deleted = store.purge_feedback(key_id)
    emit({"key_id": key_id, "deleted": deleted}, as_json)


def feedback_dataset(
    out: Path = typer.Option(..., "--out", help="Parquet file to write (normalised tickets)."),
    database_url: str | None = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """Accepted/corrected predictions and resolved tickets as a labelled dataset for training."""
    url = _database_url(database_url)
    check_file_out(out, {"--database-url": _database_file(url)}, replaceable=not_tickets_file)
    with _store(url) as store:
        summary = write_labelled_dataset(store, out)
    emit(summary, as_json)


# `dataset`, not `export`: `triage export` writes a model bundle. The old name stays, hidden.
feedback_app.command("dataset")(handle_errors(feedback_dataset))
feedback_app.command("export", hidden=True, deprecated=True)(handle_errors(feedback_dataset))


@report_app.command("production")
@handle_errors
def report_production(
    database_url: str | None = DatabaseOption,
    days: int | None = typer.Option(
        None, "--days", min=1, help="Only the last N days (default: everything stored)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Precision per target against the value at close, coverage per action, KB acceptance."""
    since = datetime.now(UTC) - timedelta(days=days) if days else None
    with _store(database_url) as store:
        summary = production_report(store, since)
    emit(summary, as_json)
