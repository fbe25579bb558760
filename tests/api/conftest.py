"""Fixtures for the service tests: real tiny bundles, settings on a temporary database, clients."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pg import fresh_database
from service_helpers import build_tiny_bundle, issue_keys

from api.app import create_app
from api.settings import Settings


@pytest.fixture(scope="session")
def bundle_v1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real bundle trained on hand-made tickets (hashing embedder), version `v1`."""
    return build_tiny_bundle(tmp_path_factory.mktemp("bundles") / "v1", "v1", seed=0)


@pytest.fixture(scope="session")
def bundle_v2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second real bundle, version `v2`."""
    return build_tiny_bundle(tmp_path_factory.mktemp("bundles") / "v2", "v2", seed=1)


@pytest.fixture(scope="session")
def bundle_plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real bundle without a retrieval index, version `plain`."""
    return build_tiny_bundle(tmp_path_factory.mktemp("bundles") / "plain", "plain", retrieval=False)


@pytest.fixture()
def make_settings(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Settings]:
    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": database_url,
            "bundle_root": tmp_path_factory.getbasetemp(),  # every test bundle is made under it
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture()
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The service tests' database: a SQLite file, unless a test asks for both with
    `service_helpers.BOTH_DATABASES` (then also a fresh database on a real PostgreSQL)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return f"sqlite:///{tmp_path / 'triage.db'}"
    server: str = request.getfixturevalue("postgres_url")
    name = "api_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
    return fresh_database(server, name)


@pytest.fixture()
def client(make_settings: Callable[..., Settings], bundle_v1: Path) -> Iterator[TestClient]:
    """A client of an app serving the real `v1` bundle (lifespan run)."""
    with TestClient(create_app(make_settings(bundle_dir=bundle_v1))) as c:
        yield c


@pytest.fixture()
def keys(client: TestClient) -> dict[str, dict[str, str]]:
    return issue_keys(client)
