"""A throwaway PostgreSQL server for the store tests: initdb + pg_ctl on loopback, in a temp folder.

The server binaries come from the system (Debian's `postgresql` package, installed by
`.ci/system-deps`; `TRIAGE_PG_BIN` overrides the folder). PostgreSQL refuses to run as root, so
as root the cluster belongs to the `postgres` user and every command runs through `runuser`.
`TRIAGE_TEST_DATABASE_URL` points the tests at an existing server instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def pg_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    override = os.environ.get("TRIAGE_PG_BIN")
    if override:
        return Path(override)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if versions:
        return versions[0].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(*args: str) -> None:
    done = subprocess.run(_as_owner(list(args)), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr or done.stdout}")


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a fresh cluster in a new temporary folder; yields its SQLAlchemy URL; stops it and
    removes the folder (outside pytest's tmp tree, which the `postgres` user cannot enter)."""
    external = os.environ.get("TRIAGE_TEST_DATABASE_URL")
    if external:
        yield external
        return
    binaries = pg_bin()
    if binaries is None or not (binaries / "pg_ctl").exists():
        pytest.skip(
            "no PostgreSQL server binaries: `apt-get install -y postgresql` (.ci/system-deps)"
        )
    folder = Path(tempfile.mkdtemp(prefix="triage-pg-"))
    data = folder / "pgdata"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(data, "postgres")
    port = _free_port()
    _run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run(
        str(binaries / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-w",
        "-l",
        str(folder / "log"),
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server_url: str, name: str) -> str:
    """Create an empty database `name` on the server; returns its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"
