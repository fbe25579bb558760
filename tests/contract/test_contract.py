"""The OpenAPI contract, checked by schemathesis with every check against a real uvicorn: the
served schema documents every status and body the service sends and refuses what it refuses.

Three runs: with an admin key (every operation reachable), with a wrong key and with none
(every operation must answer a documented 401 problem). Zero failures allowed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from e2e_server import Server

pytestmark = pytest.mark.slow

ST = Path(sys.executable).with_name("st")
EXAMPLES = 10
"""Per operation and phase: the whole run stays around a minute on 2 busy cores."""


def _schemathesis(server: Server, headers: list[str], examples: int) -> None:
    args = [
        str(ST),
        "run",
        f"{server.url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(examples),
        "--seed",
        "1",  # reproducible: a failure names its case id, `st replay` repeats it
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--no-color",
        *headers,
    ]
    # in the server's folder: schemathesis leaves a `.schemathesis` folder where it runs
    run = subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=server.log.parent)
    failures = run.stdout[run.stdout.find("FAILURES") :]
    assert run.returncode == 0, failures[:8000] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failure" not in run.stdout.split("SUMMARY")[-1]


def test_contract_all_checks_pass_with_an_admin_key(served: Server) -> None:
    _schemathesis(served, ["--header", f"X-API-Key: {served.dev_key}"], EXAMPLES)


@pytest.mark.parametrize("key", ["trk_0123456789ab_not-a-real-secret", None])
def test_contract_all_checks_pass_with_a_wrong_or_missing_key(
    served: Server, key: str | None
) -> None:
    _schemathesis(served, ["--header", f"X-API-Key: {key}"] if key else [], 3)
