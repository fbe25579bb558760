"""One schema definition: the Alembic migrations create and upgrade every database, for the CLI
and the service alike, and databases created before them open unchanged."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from typer.testing import CliRunner

from training.cli import app
from triage.errors import FeedbackStoreError
from triage.store.engine import make_engine
from triage.store.keys import verify_key
from triage.store.migrate import alembic_config, head_revision, known_revisions, schema_revision
from triage.store.report import production_report
from triage.store.sql import SqlFeedbackStore, open_store
from triage.store.tables import metadata

OLD_DATABASES = Path(__file__).parents[1] / "fixtures" / "store"
OLD_KEY = "trk_0123456789ab_old-secret"


def _differences(store: SqlFeedbackStore) -> list[object]:
    with store.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def test_store_migrations_build_exactly_the_query_tables(store: SqlFeedbackStore) -> None:
    assert schema_revision(store.engine) == head_revision() == "0005_issue13_incidents"
    assert {
        "0001_initial",
        "0002_issue15_ticket_log",
        "0003_issue12_erasure_audit",
    } <= known_revisions()
    assert _differences(store) == []


def test_store_cli_creates_the_schema_through_the_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        app, ["keys", "create", "--scope", "agent", "--json", "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    with engine.connect() as conn:
        version_table = sa.inspect(conn).get_pk_constraint("alembic_version")
    # Alembic names the key of the table it creates; the old hand-written stamp did not
    assert version_table["name"] == "alembic_version_pkc"
    store = open_store(url)
    assert _differences(store) == []
    assert verify_key(store, json.loads(result.stdout)["key"]) is not None
    store.close()


def _row_counts(path: Path) -> dict[str, int]:
    tables = ("api_keys", "predictions", "feedback", "resolved_tickets")
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


@pytest.mark.parametrize("fixture", ["created_by_cli_0001.sql", "created_by_service_0001.sql"])
def test_store_opens_a_database_created_by_the_old_code_unchanged(
    tmp_path: Path, fixture: str
) -> None:
    """SQL dumps of databases the code before the migrations-only store wrote (the CLI's
    create_all + stamp, and the service's migration), with a key, a prediction, feedback and a
    resolved ticket in each."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((OLD_DATABASES / fixture).read_text())
    before = _row_counts(path)
    store = open_store(f"sqlite:///{path}")
    try:
        assert schema_revision(store.engine) == head_revision()
        # the resolved ticket entered the ticket log, so a replay still finds it
        assert [e.ticket.ticket_id for e in store.read_ticket_log(0)] == [
            r.ticket.ticket_id for r in store.iter_resolved()
        ]
        assert verify_key(store, OLD_KEY) is not None
        assert [p.prediction_id for p in store.iter_predictions()] == ["abc123"]
        (fb,) = store.iter_feedback()
        assert fb.corrections == {"category": "Access"} and fb.kb_helpful is True
        report = production_report(store)
        assert report["targets"]["category"]["precision"] == 0.0  # predicted Network, closed Access
    finally:
        store.close()
    assert _row_counts(path) == before  # upgraded to head, no old row lost or added


def test_store_opens_a_database_stamped_by_the_old_cli_recipe(database_url: str) -> None:
    """The old CLI's create_all + hand-written stamp, replayed on SQLite and PostgreSQL."""
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0001_initial")  # the tables create_all made then
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
        conn.execute(
            sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        )
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0001_initial')"))
    engine.dispose()
    store = open_store(database_url)
    try:
        assert schema_revision(store.engine) == head_revision() and _differences(store) == []
    finally:
        store.close()


def _revisions_oldest_first() -> list[str]:
    from alembic.script import ScriptDirectory

    from triage.store.migrate import alembic_config

    walked = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    return [r.revision for r in walked][::-1]


def test_store_upgrades_from_every_revision_to_head(database_url: str) -> None:
    """Empty, then each revision in turn: a database at any released revision upgrades to
    exactly the schema the queries use, on SQLite and PostgreSQL."""
    from alembic import command

    from triage.store.migrate import alembic_config

    revisions = _revisions_oldest_first()
    assert revisions[0] == "0001_initial" and revisions[-1] == head_revision()
    for index, revision in enumerate(revisions):
        url = database_url if index == 0 else _another(database_url, index)
        engine = make_engine(url)
        command.upgrade(alembic_config(engine), revision)
        assert schema_revision(engine) == revision
        engine.dispose()
        store = open_store(url)
        try:
            assert schema_revision(store.engine) == head_revision() and _differences(store) == []
        finally:
            store.close()


def _another(url: str, index: int) -> str:
    if url.startswith("sqlite"):
        return url.replace(".db", f"-{index}.db")
    from pg import fresh_database

    server, name = url.rsplit("/", 1)
    return fresh_database(server + "/postgres", f"{name}_{index}"[:60])


def test_store_refuses_unknown_schema_revision(database_url: str) -> None:
    open_store(database_url).close()
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(FeedbackStoreError, match=r"9999_future.*upgrade triage"):
        open_store(database_url)


_OPEN_ON_GO = """
import sys
from triage.store.sql import open_store
print("ready", flush=True)
sys.stdin.readline()
open_store(sys.argv[1]).close()
"""


def test_store_workers_opening_an_empty_database_at_once_all_succeed(database_url: str) -> None:
    """Four processes (as `triage serve --workers 4`) migrate the same empty database at the
    same instant: they take turns, and all of them open it."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_ON_GO, database_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    assert all(w.stdout is not None and w.stdout.readline() == "ready\n" for w in workers)
    for w in workers:  # every interpreter has imported the store: release them together
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    assert [w.wait(timeout=60) for w in workers] == [0, 0, 0, 0]
    store = open_store(database_url)
    try:
        assert schema_revision(store.engine) == head_revision() and _differences(store) == []
    finally:
        store.close()


def test_store_unreachable_database_is_a_typed_error() -> None:
    with pytest.raises(FeedbackStoreError, match="cannot open or migrate") as info:
        open_store("postgresql+psycopg://triage:secret@127.0.0.1:9/nothing")
    assert "secret" not in str(info.value)
