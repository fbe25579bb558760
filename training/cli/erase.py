"""`triage privacy erase` and `triage privacy audit`: a person's data out of every store."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import typer

from training.cli.apps import privacy_app
from training.cli.common import JsonOption, emit, handle_errors, load_tickets
from training.cli.service import DatabaseOption, _database_url
from triage.privacy.erasure import ErasureRequest, erase
from triage.privacy.guard import TicketPrivacy
from triage.privacy.hashing import DEFAULT_SECRET_FILE

SecretOption = typer.Option(
    DEFAULT_SECRET_FILE, "--secret-file", help="The deployment's pseudonym secret."
)


@privacy_app.command("erase")
@handle_errors
def erase_command(
    requester: str | None = typer.Option(
        None, "--requester", help="E-mail address or name: every ticket of this person."
    ),
    ticket: list[str] = typer.Option([], "--ticket", help="A ticket id (repeatable)."),
    older_than_months: int | None = typer.Option(
        None, "--older-than-months", min=1, help="Retention: every ticket older than this."
    ),
    index: list[Path] = typer.Option(
        [], "--index", help="A bundle or index folder to erase from (repeatable)."
    ),
    cache: Path | None = typer.Option(
        Path(".cache/embeddings"),
        "--cache",
        help="Embedding cache folder (nothing to erase there when it does not exist).",
    ),
    data: Path | None = typer.Option(
        None, "--data", help="Training tickets, so their cached vectors are found too."
    ),
    mlruns: Path | None = typer.Option(
        None, "--mlruns", help="Local MLflow store: logged bundles and frozen test splits."
    ),
    database_url: str | None = DatabaseOption,
    secret_file: Path = SecretOption,
    as_json: bool = JsonOption,
) -> None:
    """Erase a requester's tickets, named tickets or (retention) old tickets from the database
    (predictions, feedback, resolved tickets), the given bundles and indexes (rewritten, still
    loadable), the embedding cache and every future training set; print counts, never ids.
    A running service drops them at once through POST /v1/admin/erase instead."""
    from triage.store.sql import open_store  # Alembic: only the store commands need it

    request = ErasureRequest(requester, tuple(ticket), older_than_months)
    privacy = TicketPrivacy.from_section({}, secret_file=secret_file)
    source = privacy.tickets(load_tickets(data, None)) if data is not None else []
    store = open_store(_database_url(database_url))
    try:
        result = erase(
            request,
            privacy,
            store.engine,
            folders=index,
            cache_dir=cache,
            artifacts=mlruns,
            source=source,
            actor=f"cli:{_user()}",
        )
    finally:
        store.close()
    emit(result.summary(), as_json)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container
        return str(os.getuid())


@privacy_app.command("audit")
@handle_errors
def audit_command(
    limit: int = typer.Option(20, "--limit", min=1, help="How many erasures, newest first."),
    database_url: str | None = DatabaseOption,
    as_json: bool = JsonOption,
) -> None:
    """The latest erasures: when, by whom, what kind, a keyed hash, counts (no personal data)."""
    from triage.store.erasure import audit_log
    from triage.store.sql import open_store

    store = open_store(_database_url(database_url))
    try:
        rows = audit_log(store.engine, limit)
    finally:
        store.close()
    emit({"erasures": rows}, as_json)
