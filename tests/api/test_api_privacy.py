"""Redaction at the service's edge and erasure through POST /v1/admin/erase, on a real bundle."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from pii import PLANTED_TEXT, REQUESTER, holds, scan_text
from service_helpers import issue_keys
from tiny_data import make_tickets

from api.app import create_app
from api.settings import Settings
from api.state import state_of
from triage.bundle import verify_bundle

Keys = dict[str, dict[str, str]]
PLANTED = {
    "ticket_id": "INC-PII",
    "subject": "zebra vpn router",
    "body": f"zebra dns outage. {PLANTED_TEXT}",
    "requester": REQUESTER,
    "category": "Network",
    "solution": f"Sanne de Vries gebeld op 06-12345678: zebra gateway herstart. {PLANTED_TEXT}",
}


def _db_dump(client: TestClient) -> str:
    engine = state_of(client.app).store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        tables = ("predictions", "feedback", "resolved_tickets", "erasure_audit")
        return "".join(str(conn.execute(sa.text(f"SELECT * FROM {t}")).all()) for t in tables)


def _similar(client: TestClient, keys: Keys, q: str = "zebra vpn router zebra dns") -> list[dict]:
    r = client.get("/v1/similar", params={"q": q}, headers=keys["agent"])
    assert r.status_code == 200, r.text
    return list(r.json()["similar"])


def test_privacy_triage_stores_and_returns_no_personal_data(client: TestClient, keys: Keys) -> None:
    ticket = {k: PLANTED[k] for k in ("ticket_id", "subject", "body", "requester")}
    r = client.post("/v1/triage", json={"ticket": ticket}, headers=keys["triage"])
    assert r.status_code == 200 and scan_text(r.text) == []
    pid = r.json()["prediction_id"]
    comment = "Klant Sanne de Vries belde, bel terug op 06-12345678"
    body = {"prediction_id": pid, "outcome": "accepted", "comment": comment}
    assert client.post("/v1/feedback", json=body, headers=keys["agent"]).status_code == 201
    recent = client.get("/v1/predictions", headers=keys["agent"])
    assert recent.status_code == 200 and scan_text(recent.text) == []
    dump = _db_dump(client)
    assert "<IBAN>" in dump and "<PHONE>" in dump and scan_text(dump) == []


def test_privacy_resolved_ticket_is_redacted_in_the_index_and_the_store(
    client: TestClient, keys: Keys
) -> None:
    r = client.post("/v1/tickets/resolved", json={"ticket": PLANTED}, headers=keys["triage"])
    assert r.status_code == 201 and r.json()["searchable"] is True
    hits = _similar(client, keys)
    assert hits[0]["ticket_id"] == "INC-PII" and "<PHONE>" in hits[0]["solution"]
    assert scan_text(str(hits)) == [] and scan_text(_db_dump(client)) == []


def test_privacy_deployment_config_can_turn_redaction_off(
    make_settings: Callable[..., Settings], bundle_v1: Path, tmp_path: Path
) -> None:
    off = tmp_path / "privacy.yaml"
    off.write_text("privacy:\n  kinds: []\n")
    with TestClient(create_app(make_settings(bundle_dir=bundle_v1, privacy_config=off))) as c:
        keys = issue_keys(c)
        c.post("/v1/tickets/resolved", json={"ticket": PLANTED}, headers=keys["triage"])
        assert "NL91ABNA0417164300" in _db_dump(c)


def test_privacy_erase_needs_the_admin_scope(client: TestClient, keys: Keys) -> None:
    body = {"requester": REQUESTER}
    assert client.post("/v1/admin/erase", json=body, headers=keys["agent"]).status_code == 403
    both = {"requester": REQUESTER, "ticket_ids": ["T1"]}
    assert client.post("/v1/admin/erase", json=both, headers=keys["admin"]).status_code == 422


def test_privacy_erase_removes_a_requester_everywhere_and_keeps_serving(
    make_settings: Callable[..., Settings], bundle_v1: Path, tmp_path: Path
) -> None:
    bundle = Path(shutil.copytree(bundle_v1, tmp_path / "bundle"))
    settings = make_settings(bundle_dir=bundle)
    with TestClient(create_app(settings)) as c:
        keys = issue_keys(c)
        c.post("/v1/tickets/resolved", json={"ticket": PLANTED}, headers=keys["triage"])
        assert _similar(c, keys)[0]["ticket_id"] == "INC-PII"
        r = c.post("/v1/admin/erase", json={"requester": REQUESTER}, headers=keys["admin"])
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["tickets"] == 1 and out["counts"]["resolved_tickets"] == 1
        assert out["counts"]["index_live"] == 1 and scan_text(r.text) == []
        assert all(h["ticket_id"] != "INC-PII" for h in _similar(c, keys))  # at once
        assert "INC-PII" not in _db_dump(c)
        assert (
            c.post(
                "/v1/triage", json={"ticket": {"subject": "vpn"}}, headers=keys["triage"]
            ).status_code
            == 200
        )
    verify_bundle(bundle)
    with TestClient(create_app(settings)) as c:  # a restart replays nothing erased
        assert all(h["ticket_id"] != "INC-PII" for h in _similar(c, issue_keys(c)))


def test_privacy_erased_training_ticket_never_comes_back_from_another_bundle(
    make_settings: Callable[..., Settings], bundle_v1: Path, tmp_path: Path
) -> None:
    served = Path(shutil.copytree(bundle_v1, tmp_path / "served"))
    with TestClient(create_app(make_settings(bundle_dir=served))) as c:
        keys = issue_keys(c)
        first = _similar(c, keys, "vpn router dns")[0]["ticket_id"]
        (ticket,) = [t for t in make_tickets(240) if t.ticket_id == first]
        traces = [first, f'"{ticket.subject}"', f'"{ticket.solution}"']  # whole JSON strings
        before = {w for ws in holds([served], traces).values() for w in ws}
        assert before == set(traces)  # the served bundle's files hold all three before
        r = c.post("/v1/admin/erase", json={"ticket_ids": [first]}, headers=keys["admin"])
        assert r.json()["counts"]["index_files"] == 1
        assert holds([served], traces) == {}  # and in no file of the served bundle after
        reload = {"bundle_dir": str(bundle_v1)}  # the untouched original still holds it
        assert c.post("/v1/admin/reload", json=reload, headers=keys["admin"]).status_code == 200
        assert all(h["ticket_id"] != first for h in _similar(c, keys, "vpn router dns"))


def test_privacy_bundle_retention_drops_old_tickets_from_the_served_index(
    make_settings: Callable[..., Settings], bundle_v1: Path, tmp_path: Path
) -> None:
    import json

    bundle = Path(shutil.copytree(bundle_v1, tmp_path / "bundle"))
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["config"]["privacy"]["retention_months"] = 1  # the hand-made tickets are of 2025
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with TestClient(create_app(make_settings(bundle_dir=bundle))) as c:
        assert _similar(c, issue_keys(c), "vpn router dns") == []
