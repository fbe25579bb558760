"""Admission control on every route that uses the inference thread, per-key rate limits, key
revocation that takes effect at once, and input text cleaned as training cleans it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from service_fakes import FakeGatedTriager
from service_helpers import VPN_TICKET, issue_keys
from typer.testing import CliRunner

from api.app import create_app
from api.errors import PROBLEM
from api.settings import Settings
from api.state import state_of
from training.cli import app as cli
from triage.store.keys import create_key


class _Retriever:
    """FAKE search index: answers nothing (the test is about the queue, not about results)."""

    def similar(self, text: str, k: int) -> list[Any]:
        return []

    def kb(self, text: str, k: int) -> list[Any]:
        return []

    def add_ticket(self, ticket: Any) -> bool:
        return False  # nothing is indexed: the test counts what reached the store

    def has_ticket(self, ticket_id: str) -> bool:
        return False


class _SearchableFake(FakeGatedTriager):
    retriever = _Retriever()


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, Any] = r.json()
    return body


def _hold_inference(c: TestClient, fake: FakeGatedTriager, headers: dict[str, str]) -> Any:
    """One /v1/triage blocked on the inference thread, so the queue is full (capacity 1)."""
    thread = threading.Thread(
        target=lambda: c.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=headers)
    )
    thread.start()
    assert fake.entered.wait(10)
    return thread


def test_admission_search_and_resolved_get_429_when_the_queue_is_full(
    make_settings: Callable[..., Settings],
) -> None:
    """FAKE triager: holds inference so the queue is full deterministically."""
    settings = make_settings(queue_capacity=1, max_batch_tickets=1, micro_batch_size=1)
    fake = _SearchableFake()
    with TestClient(create_app(settings)) as c:
        keys = issue_keys(c)
        state_of(c.app).models.swap(fake, Path("fake"))
        held = _hold_inference(c, fake, keys["triage"])
        for path in ("/v1/similar", "/v1/kb/search"):
            r = c.get(path, params={"q": "vpn"}, headers=keys["agent"])
            assert "queued for inference" in _problem(r, 429)["detail"]
            assert int(r.headers["Retry-After"]) >= 1
        resolved = {"ticket": VPN_TICKET | {"ticket_id": "INC-1", "solution": "Rebooted."}}
        r = c.post("/v1/tickets/resolved", json=resolved, headers=keys["triage"])
        _problem(r, 429)
        assert list(state_of(c.app).store.iter_resolved()) == []
        fake.gate.set()
        held.join(10)
        assert c.get("/v1/similar", params={"q": "vpn"}, headers=keys["agent"]).status_code == 200
        r = c.post("/v1/tickets/resolved", json=resolved, headers=keys["triage"])
        assert r.status_code == 201  # the refused write can simply be sent again


def test_admission_rate_limit_is_per_key(
    make_settings: Callable[..., Settings], bundle_v1: Path
) -> None:
    """A loaded bundle, so that a request the limiter lets through is answered (200): without
    one every /v1/model is a 503 and "not 429" would hold on a service that serves nothing."""
    settings = make_settings(bundle_dir=bundle_v1, rate_limit_per_s=0.5, rate_limit_burst=2)
    with TestClient(create_app(settings)) as c:
        busy = {"X-API-Key": create_key(state_of(c.app).store, ["agent"])[0]}
        calm = {"X-API-Key": create_key(state_of(c.app).store, ["agent"])[0]}
        statuses = [c.get("/v1/model", headers=busy).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]  # the burst of 2, then refused
        r = c.get("/v1/model", headers=busy)
        assert "limited to 0.5 requests/s" in _problem(r, 429)["detail"]
        assert int(r.headers["Retry-After"]) >= 1
        r = c.get("/v1/model", headers=calm)  # another key's budget is untouched
        assert r.status_code == 200, r.text
        assert r.json()["version"] == "v1"


def test_admission_revoked_key_is_refused_at_once_in_this_process(
    make_settings: Callable[..., Settings], bundle_v1: Path
) -> None:
    settings = make_settings(bundle_dir=bundle_v1, key_recheck_s=30)  # no help from rechecks
    with TestClient(create_app(settings)) as c:
        keys = issue_keys(c)
        plaintext, key = create_key(state_of(c.app).store, ["agent"])
        agent = {"X-API-Key": plaintext}
        assert c.get("/v1/similar", params={"q": "vpn"}, headers=agent).status_code == 200
        r = c.post(f"/v1/admin/keys/{key.key_id}/revoke", headers=keys["admin"])
        assert r.status_code == 200 and r.json()["revoked_at"]
        _problem(c.get("/v1/similar", params={"q": "vpn"}, headers=agent), 401)
        _problem(c.post("/v1/admin/keys/0000000000ff/revoke", headers=keys["admin"]), 404)


def test_admission_cli_revocation_reaches_a_running_service_within_the_recheck(
    make_settings: Callable[..., Settings], bundle_v1: Path
) -> None:
    """`triage keys revoke` is another process: the service sees it at its next recheck."""
    settings = make_settings(bundle_dir=bundle_v1, key_recheck_s=0.2)
    with TestClient(create_app(settings)) as c:
        plaintext, key = create_key(state_of(c.app).store, ["agent"])
        agent = {"X-API-Key": plaintext}
        assert c.get("/v1/similar", params={"q": "vpn"}, headers=agent).status_code == 200
        args = ["keys", "revoke", key.key_id, "--database-url", settings.database_url, "--json"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        time.sleep(0.3)
        _problem(c.get("/v1/similar", params={"q": "vpn"}, headers=agent), 401)
    unknown = CliRunner().invoke(
        cli, ["keys", "revoke", "0000000000ff", "--database-url", settings.database_url]
    )
    assert unknown.exit_code == 2 and "not found" in unknown.output


def test_admission_text_is_cleaned_as_in_training(client: TestClient, keys: Any) -> None:
    invisible = {"ticket": {"subject": "\u200b\u200c\u2060\ufeff", "body": "\u200b \x01"}}
    r = client.post("/v1/triage", json=invisible, headers=keys["triage"])
    assert "ticket" in _problem(r, 422)["detail"]
    _problem(client.get("/v1/similar", params={"q": "\u200b\u200b"}, headers=keys["agent"]), 422)
    messy = {"subject": "VPN\u200b down\x07 again", "body": "Since today.\n> old quoted reply"}
    r = client.post("/v1/triage", json={"ticket": messy}, headers=keys["triage"])
    assert r.status_code == 200, r.text
    state_of(client.app).writer.flush()
    (stored,) = state_of(client.app).store.recent_predictions(1)
    assert (stored.ticket.subject, stored.ticket.body) == ("VPN down again", "Since today.")
