"""End-to-end: a real `triage serve` process, real tiny bundles, the feedback loop, a kill -9."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from e2e_server import TRIAGE, Server
from service_helpers import VPN_TICKET, build_tiny_bundle, make_tickets

from triage.dataset import read_tickets
from triage.store.sql import open_store

pytestmark = pytest.mark.e2e


def _headers(server: Server) -> dict[str, str]:
    return {"X-API-Key": server.dev_key}


def _triage(server: Server, ticket: dict[str, object]) -> dict:
    r = httpx.post(
        f"{server.url}/v1/triage", json={"ticket": ticket}, headers=_headers(server), timeout=30
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_e2e_acknowledged_feedback_survives_sigkill(server: Server) -> None:
    pid = _triage(server, VPN_TICKET)["prediction_id"]
    r = httpx.post(
        f"{server.url}/v1/feedback",
        headers=_headers(server),
        timeout=30,
        json={"prediction_id": pid, "outcome": "corrected", "corrections": {"category": "Access"}},
    )
    assert r.status_code == 201
    server.kill()  # right after the acknowledgement, no graceful shutdown
    store = open_store(server.database_url)
    try:
        found = [f for f in store.iter_feedback() if f.prediction_id == pid]
    finally:
        store.close()
    assert len(found) == 1 and found[0].corrections == {"category": "Access"}


def _cli(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [str(TRIAGE), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_e2e_predict_feedback_export_retrain_reload(server: Server, tmp_path: Path) -> None:
    """train, bundle, serve, triage, feedback, export, retrain, reload: the version changed."""
    live = httpx.get(f"{server.url}/health/ready", timeout=10).json()
    assert live["model_version"] == "e2e-v1"
    first = _triage(server, VPN_TICKET | {"ticket_id": "INC-9"})
    assert (
        first["model_version"] == "e2e-v1"
        and first["predictions"]["category"]["label"] == "Network"
    )
    fb = {"prediction_id": first["prediction_id"], "outcome": "accepted"}
    assert (
        httpx.post(f"{server.url}/v1/feedback", json=fb, headers=_headers(server)).status_code
        == 201
    )
    resolved = VPN_TICKET | {
        "ticket_id": "INC-9",
        "category": "Network",
        "priority": "P1",
        "support_line": 2,
    }
    r = httpx.post(
        f"{server.url}/v1/tickets/resolved", json={"ticket": resolved}, headers=_headers(server)
    )
    assert r.status_code == 201

    exported = tmp_path / "feedback.parquet"
    _cli(
        "feedback",
        "export",
        "--out",
        str(exported),
        "--database-url",
        server.database_url,
        "--json",
        cwd=tmp_path,
    )
    labelled = read_tickets(exported)
    assert [t.ticket_id for t in labelled] == ["INC-9"] and labelled[0].category == "Network"

    retrain = make_tickets(240, seed=3) + labelled  # old data plus what the service collected
    bundle_v2 = build_tiny_bundle(tmp_path / "v2", "e2e-v2", seed=3, tickets=retrain)
    r = httpx.post(
        f"{server.url}/v1/admin/reload",
        json={"bundle_dir": str(bundle_v2)},
        headers=_headers(server),
        timeout=60,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"previous_version": "e2e-v1", "version": "e2e-v2"}
    assert _triage(server, VPN_TICKET)["model_version"] == "e2e-v2"

    report = _cli(
        "report", "production", "--database-url", server.database_url, "--json", cwd=tmp_path
    )
    assert '"resolved_with_prediction": 1' in report
