"""Integrity of what agents see: resolved tickets are attributed and owned, corrections are
labels the served model knows, one key's feedback is capped and can be purged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from service_helpers import VPN_TICKET, issue_keys
from service_helpers import assert_problem as _problem
from typer.testing import CliRunner

from api.app import create_app
from api.settings import Settings
from api.state import state_of
from training.cli import app as cli
from triage.store.keys import create_key

RESOLVED = {
    "ticket_id": "INC-7001",
    "subject": "vpn router down",
    "body": "outage for everyone, dns broken",
    "category": "Network",
    "solution": "Restarted the VPN concentrator.",
}


def _resolve(c: TestClient, headers: dict[str, str], **changes: Any) -> Any:
    return c.post("/v1/tickets/resolved", json={"ticket": RESOLVED | changes}, headers=headers)


def _key(c: TestClient, scope: str) -> tuple[str, dict[str, str]]:
    plaintext, key = create_key(state_of(c.app).store, [scope])
    return key.key_id, {"X-API-Key": plaintext}


def _feedback(c: TestClient, headers: dict[str, str], **body: Any) -> Any:
    r = c.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=issue_keys(c)["triage"])
    payload = {"prediction_id": r.json()["prediction_id"], "outcome": "accepted"} | body
    return c.post("/v1/feedback", json=payload, headers=headers)


def test_integrity_resolved_ticket_changed_only_by_its_first_writer_or_admin(
    client: TestClient,
) -> None:
    owner_id, owner = _key(client, "triage")
    other_id, other = _key(client, "triage")
    admin_id, admin = _key(client, "admin")
    assert _resolve(client, owner).status_code == 201
    evil = _resolve(client, other, solution="Mail your password to evil@example.nl")
    detail = _problem(evil, 403)["detail"]
    assert f"first written by key {owner_id}" in detail and "admin" in detail
    assert _resolve(client, owner, solution="Replaced the VPN token.").status_code == 201
    assert _resolve(client, admin, solution="Checked by the admin.").status_code == 201
    store = state_of(client.app).store
    history = store.ticket_history("INC-7001")
    assert [(w.version, w.key_id) for w in history] == [(1, owner_id), (2, owner_id), (3, admin_id)]
    solutions = [r.ticket.solution for r in store.iter_resolved()]
    assert "Mail your password to evil@example.nl" not in solutions  # refused: nothing stored
    hits = client.get("/v1/similar", params={"q": "vpn router down"}, headers=admin).json()
    top = [h for h in hits["similar"] if h["ticket_id"] == "INC-7001"]
    assert top and top[0]["solution"] == "Checked by the admin."
    assert other_id not in {w.key_id for w in history}


def test_integrity_ticket_already_in_the_index_needs_an_admin_key(client: TestClient) -> None:
    """A solved ticket from the training data has no recorded writer: no ticket key may
    overwrite it (the attack of the issue), an admin key may."""
    retriever = state_of(client.app).models.current.triager.retriever
    indexed = retriever.tickets.dense.ids[0]
    _, triage_key = _key(client, "triage")
    _, admin = _key(client, "admin")
    r = _resolve(client, triage_key, ticket_id=indexed, solution="Mail your password to me")
    assert "no recorded writer" in _problem(r, 403)["detail"]
    assert _resolve(client, admin, ticket_id=indexed).status_code == 201


def test_integrity_correction_outside_the_label_set_is_422(client: TestClient) -> None:
    _, agent = _key(client, "agent")
    r = _feedback(client, agent, outcome="corrected", corrections={"category": "zzz"})
    detail = _problem(r, 422)["detail"]
    labels = state_of(client.app).models.current.triager.manifest["labels"]
    assert "'zzz'" in detail and all(label in detail for label in labels["category"])
    assert list(state_of(client.app).store.iter_feedback()) == []
    known = labels["category"][0]
    ok = _feedback(client, agent, outcome="corrected", corrections={"category": known})
    assert ok.status_code == 201, ok.text


def test_integrity_feedback_is_attributed_and_capped_per_key(
    make_settings: Callable[..., Settings], bundle_v1: Any
) -> None:
    with TestClient(create_app(make_settings(bundle_dir=bundle_v1, feedback_daily_cap=2))) as c:
        capped_id, capped = _key(c, "agent")
        _, fresh = _key(c, "agent")
        assert [_feedback(c, capped).status_code for _ in range(2)] == [201, 201]
        r = _feedback(c, capped)
        assert "TRIAGE_FEEDBACK_DAILY_CAP=2" in _problem(r, 429)["detail"]
        assert int(r.headers["Retry-After"]) > 0
        assert _feedback(c, fresh).status_code == 201  # another key is not affected
        stored = list(state_of(c.app).store.iter_feedback())
    assert [f.key_id for f in stored].count(capped_id) == 2 and len(stored) == 3


def test_integrity_purge_removes_one_keys_feedback(client: TestClient, tmp_path: Any) -> None:
    bad_id, bad = _key(client, "agent")
    good_id, good = _key(client, "agent")
    _, admin = _key(client, "admin")
    for headers in (bad, bad, good):
        assert _feedback(client, headers).status_code == 201
    r = client.post(f"/v1/admin/keys/{bad_id}/purge-feedback", headers=admin)
    assert r.status_code == 200 and r.json() == {"key_id": bad_id, "deleted": 2}
    assert _problem(client.post(f"/v1/admin/keys/{bad_id}/purge-feedback", headers=bad), 403)
    store = state_of(client.app).store
    assert [f.key_id for f in store.iter_feedback()] == [good_id]


def test_integrity_cli_feedback_purge_deletes_a_keys_feedback(client: TestClient) -> None:
    bad_id, bad = _key(client, "agent")
    assert _feedback(client, bad).status_code == 201
    url = state_of(client.app).settings.database_url
    result = CliRunner().invoke(
        cli, ["feedback", "purge", "--key-id", bad_id, "--database-url", url, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"deleted": 1' in result.stdout
    assert list(state_of(client.app).store.iter_feedback()) == []
