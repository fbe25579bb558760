"""Contract fixtures: a real `triage serve` (uvicorn) on a real tiny bundle, with an admin key."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).parents[1]
sys.path[:0] = [str(TESTS / "e2e"), str(TESTS / "api")]  # the shared server and bundle helpers

from e2e_server import Server, start_server  # noqa: E402
from service_helpers import build_tiny_bundle  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    bundle = build_tiny_bundle(tmp_path_factory.mktemp("contract-bundles") / "v1", "c-v1")
    server = start_server(tmp_path_factory.mktemp("contract-server"), bundle)
    try:
        yield server
    finally:
        server.process.terminate()
        server.process.wait(30)
