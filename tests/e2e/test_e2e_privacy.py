"""End-to-end privacy: planted personal data through train -> index -> MLflow -> serve ->
feedback leaves no trace in any store, and an erasure leaves none of the person's tickets
while the service keeps serving (real `triage train` and `triage serve` processes)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml
from e2e_server import TRIAGE, Server, start_server
from pii import PLANTED_TEXT, REQUESTER, scan, scan_text
from tiny_data import make_tickets, tiny_config

from triage.dataset import write_tickets
from triage.schema import Ticket

pytestmark = pytest.mark.e2e

MINE = [f"T{i:05d}" for i in range(0, 240, 12)]  # the planted requester's 20 tickets


def _planted(tickets: list[Ticket]) -> list[Ticket]:
    out = []
    for t in tickets:
        if t.ticket_id in MINE:
            t = t.replace(
                requester=REQUESTER,
                body=f"{t.body} {PLANTED_TEXT}",
                solution=f"{t.solution}; Sanne de Vries teruggebeld op 06-12345678",
            )
        out.append(t)
    return out


def _cli(*args: str, cwd: Path) -> dict:
    done = subprocess.run(
        [str(TRIAGE), *args, "--json"], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert scan_text(done.stdout + done.stderr) == []
    return dict(json.loads(done.stdout))


def _train(tmp: Path) -> Path:
    data = write_tickets(_planted(make_tickets(240)), tmp / "data" / "tickets.parquet")
    config = tiny_config(embedding_cache=".cache/embeddings").resolved()
    config["tracking"]["tracking_uri"] = f"sqlite:///{tmp / 'mlruns' / 'mlflow.db'}"
    config["tracking"]["log_pyfunc"] = False  # the bundle artefact is logged either way
    (tmp / "train.yaml").write_text(yaml.safe_dump(config))
    run = _cli("train", "--config", "train.yaml", "--data", str(data), cwd=tmp)
    return Path(run["bundle_path"])


def _post(server: Server, path: str, body: dict) -> httpx.Response:
    r = httpx.post(f"{server.url}{path}", json=body, headers=_key(server), timeout=60)
    assert r.status_code in (200, 201), r.text
    assert scan_text(r.text) == []
    return r


def _key(server: Server) -> dict[str, str]:
    return {"X-API-Key": server.dev_key}


def _similar_ids(server: Server, q: str) -> list[str]:
    r = httpx.get(f"{server.url}/v1/similar", params={"q": q}, headers=_key(server), timeout=30)
    assert r.status_code == 200 and scan_text(r.text) == []
    return [h["ticket_id"] for h in r.json()["similar"]]


def _use_the_service(server: Server) -> None:
    ticket = {"ticket_id": "INC-1", "subject": "vpn router down", "body": PLANTED_TEXT}
    pid = _post(server, "/v1/triage", {"ticket": ticket | {"requester": REQUESTER}}).json()
    comment = f"Sanne de Vries belt, {PLANTED_TEXT}"
    feedback = {"prediction_id": pid["prediction_id"], "outcome": "accepted", "comment": comment}
    _post(server, "/v1/feedback", feedback)
    resolved = ticket | {"requester": REQUESTER, "category": "Network", "solution": PLANTED_TEXT}
    _post(server, "/v1/tickets/resolved", {"ticket": resolved})
    _post(server, "/v1/triage/batch", {"tickets": [ticket]})
    assert "INC-1" in _similar_ids(server, f"vpn router down {PLANTED_TEXT}")


def _stores(tmp: Path, bundle: Path, server: Server) -> list[Path]:
    db = Path(server.database_url.removeprefix("sqlite:///"))
    return [tmp / "mlruns", bundle, tmp / ".cache", server.log, *db.parent.glob(db.name + "*")]


def _holds(paths: list[Path], ticket_ids: list[str]) -> list[str]:
    """Files under `paths` that name one of the ticket ids (Parquet, joblib decoded)."""
    import pii

    wanted = [t.encode() for t in ticket_ids]
    found = []
    for root in paths:
        for f in [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]:
            if any(w in pii._contents(f) for w in wanted):
                found.append(str(f))
    return found


def test_e2e_privacy_no_planted_data_anywhere_and_erasure_leaves_no_trace(tmp_path: Path) -> None:
    bundle = _train(tmp_path)
    server = start_server(tmp_path, bundle)  # cwd tmp_path: the same deployment secret
    try:
        _use_the_service(server)
        assert scan(*_stores(tmp_path, bundle, server)) == {}
        # each planted ticket is found by its own text (its planted part included, which the
        # index holds redacted) before the erasure, and by none after it
        queries = {t.ticket_id: f"{t.subject} {t.body}" for t in _planted(make_tickets(240))}
        queries = {i: q for i, q in queries.items() if i in MINE}
        indexed = [i for i, q in queries.items() if i in _similar_ids(server, q)]
        assert indexed == MINE
        r = _post(server, "/v1/admin/erase", {"requester": REQUESTER})
        erased = r.json()
        # 20 training tickets + INC-1 (resolved through the API: live index only, no file)
        assert erased["tickets"] == 21, erased
        assert erased["counts"]["index_live"] == 21, erased
        assert erased["counts"]["index_files"] == 20, erased
        assert not {*MINE, "INC-1"} & set(_similar_ids(server, "vpn router down"))
        assert not [i for i, q in queries.items() if i in _similar_ids(server, q)]
        _post(server, "/v1/triage", {"ticket": {"subject": "vpn router down"}})  # still serving
        _cli(
            "privacy",
            "erase",
            "--requester",
            REQUESTER,
            "--data",
            "data/tickets.parquet",
            "--database-url",
            server.database_url,
            "--mlruns",
            "mlruns",
            cwd=tmp_path,
        )
        gone = _holds(
            [
                bundle / "retrieval",
                Path(server.database_url.removeprefix("sqlite:///")),
                tmp_path / "mlruns",
            ],
            ["INC-1", *MINE],
        )
        assert gone == []
    finally:
        server.process.terminate()
        server.process.wait(15)
