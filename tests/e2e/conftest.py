"""End-to-end fixtures: real tiny bundles and a `triage serve` process per test."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))  # shared helpers of the service tests

from e2e_server import Server, start_server
from service_helpers import build_tiny_bundle


@pytest.fixture(scope="session")
def e2e_bundle_v1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bundle(tmp_path_factory.mktemp("e2e-bundles") / "v1", "e2e-v1", seed=0)


@pytest.fixture(scope="session")
def e2e_bundle_v2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bundle(tmp_path_factory.mktemp("e2e-bundles") / "v2", "e2e-v2", seed=1)


@pytest.fixture()
def server(tmp_path: Path, e2e_bundle_v1: Path) -> Iterator[Server]:
    s = start_server(tmp_path, e2e_bundle_v1)
    yield s
    if s.process.poll() is None:
        s.process.terminate()
        try:
            s.process.wait(15)
        except subprocess.TimeoutExpired:
            s.kill()
