"""The HTTP API against a REAL tiny bundle (trained on hand-made tickets), through the lifespan."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from service_helpers import BOTH_DATABASES, VPN_TICKET, issue_keys

from api.app import create_app
from api.settings import Settings
from api.state import state_of

Keys = dict[str, dict[str, str]]


def _triage(client: TestClient, keys: Keys, ticket: dict[str, object] | None = None) -> dict:
    r = client.post("/v1/triage", json={"ticket": ticket or VPN_TICKET}, headers=keys["triage"])
    assert r.status_code == 200, r.text
    return r.json()


def test_endpoints_health_ready_with_a_bundle(client: TestClient) -> None:
    assert client.get("/health/live").status_code == 200
    ready = client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["model_version"] == "v1"


def test_endpoints_triage_predicts_every_target(client: TestClient, keys: Keys) -> None:
    body = _triage(client, keys, VPN_TICKET | {"ticket_id": "INC-1"})
    assert body["model_version"] == "v1" and body["ticket_id"] == "INC-1"
    assert set(body["predictions"]) == {"category", "priority", "support_line"}
    category = body["predictions"]["category"]
    assert category["label"] == "Network"  # the words say network; the model learned that
    assert body["predictions"]["priority"]["label"] == "P1"  # "outage for everyone"
    assert category["action"] in {"auto", "suggest", "review"}
    assert 1 <= len(category["alternatives"]) <= 3
    assert category["alternatives"][0]["label"] == category["label"]
    assert (
        abs(sum(a["confidence"] for a in body["predictions"]["support_line"]["alternatives"]) - 1)
        < 1e-6
    )
    assert len(body["prediction_id"]) == 32
    for p in body["predictions"].values():  # a reason exactly when the action is not auto
        assert (p["action"] == "auto") == (p["reason_code"] is None) == (p["reason"] is None)


def test_endpoints_triage_gibberish_is_not_auto_and_says_why(
    client: TestClient, keys: Keys
) -> None:
    body = _triage(client, keys, {"subject": "zorblax quuxit", "body": "frobnicate wibble"})
    for p in body["predictions"].values():
        assert p["action"] in {"suggest", "review"}
        assert p["reason_code"] == "unfamiliar" and p["reason"].startswith("unfamiliar ticket")


@BOTH_DATABASES  # store-heavy: SQLite and PostgreSQL
def test_endpoints_triage_records_the_prediction(client: TestClient, keys: Keys) -> None:
    body = _triage(client, keys)
    assert state_of(client.app).writer.flush()
    assert state_of(client.app).store.has_prediction(body["prediction_id"])


@BOTH_DATABASES  # store-heavy: SQLite and PostgreSQL
def test_endpoints_feedback_right_after_triage_finds_the_queued_prediction(
    client: TestClient, keys: Keys
) -> None:
    for _ in range(5):  # no flush in between: the feedback route waits for the writer
        pid = _triage(client, keys)["prediction_id"]
        r = client.post(
            "/v1/feedback",
            json={"prediction_id": pid, "outcome": "accepted"},
            headers=keys["agent"],
        )
        assert r.status_code == 201, r.text


@BOTH_DATABASES  # store-heavy: SQLite and PostgreSQL
def test_endpoints_sync_prediction_writes_commit_before_the_response(
    make_settings: Callable[..., Settings], bundle_v1: Path
) -> None:
    settings = make_settings(bundle_dir=bundle_v1, batch_prediction_writes=False)
    with TestClient(create_app(settings)) as c:
        assert state_of(c.app).writer is None
        body = _triage(c, issue_keys(c))
        assert state_of(c.app).store.has_prediction(body["prediction_id"])


def test_endpoints_batch_matches_single(client: TestClient, keys: Keys) -> None:
    tickets = [VPN_TICKET, {"subject": "laptop screen broken", "body": "when possible, minor"}]
    r = client.post("/v1/triage/batch", json={"tickets": tickets}, headers=keys["triage"])
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["predictions"]["category"]["label"] for x in results] == ["Network", "Hardware"]
    single = _triage(client, keys, tickets[1])
    assert single["predictions"]["category"] == results[1]["predictions"]["category"]
    assert len({x["prediction_id"] for x in results}) == 2


def test_endpoints_batch_over_the_limit_is_422(make_settings, bundle_v1: Path) -> None:  # type: ignore[no-untyped-def]

    from api.app import create_app

    with TestClient(create_app(make_settings(bundle_dir=bundle_v1, max_batch_tickets=2))) as c:
        keys = issue_keys(c)
        r = c.post("/v1/triage/batch", json={"tickets": [VPN_TICKET] * 3}, headers=keys["triage"])
    assert r.status_code == 422 and "split the batch" in r.json()["detail"]


@BOTH_DATABASES  # store-heavy: SQLite and PostgreSQL
def test_endpoints_feedback_is_stored_before_201(client: TestClient, keys: Keys) -> None:
    pid = _triage(client, keys)["prediction_id"]
    body = {
        "prediction_id": pid,
        "outcome": "corrected",
        "corrections": {"category": "Access"},
        "kb_article_id": "KB-1",
        "kb_helpful": False,
    }
    r = client.post("/v1/feedback", json=body, headers=keys["agent"])
    assert r.status_code == 201, r.text
    engine = sa.create_engine(state_of(client.app).settings.database_url)
    with engine.connect() as conn:  # a separate connection sees the committed row
        row = conn.execute(sa.text("SELECT outcome, prediction_id FROM feedback")).one()
    assert tuple(row) == ("corrected", pid)


@BOTH_DATABASES  # store-heavy: SQLite and PostgreSQL
def test_endpoints_feedback_for_unknown_prediction_is_404(client: TestClient, keys: Keys) -> None:
    r = client.post(
        "/v1/feedback",
        json={"prediction_id": "abc123", "outcome": "accepted"},
        headers=keys["agent"],
    )
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "where", "why"),
    [
        ({"prediction_id": "ab", "outcome": "corrected"}, "body", "needs `corrections`"),
        (
            {"prediction_id": "ab", "outcome": "accepted", "corrections": {"colour": "red"}},
            "body.corrections.colour.[key]",
            "'category', 'priority' or 'support_line'",
        ),
        (
            {"prediction_id": "ab", "outcome": "corrected", "corrections": {"priority": "P9"}},
            "body",
            "corrections.priority must be one of",
        ),
        ({"prediction_id": "ab", "outcome": "accepted", "extra": 1}, "body.extra", "Extra"),
        ({"prediction_id": "not hex!", "outcome": "accepted"}, "body.prediction_id", "pattern"),
    ],
)
def test_endpoints_feedback_invalid_is_422(
    client: TestClient, keys: Keys, body: dict, where: str, why: str
) -> None:
    r = client.post("/v1/feedback", json=body, headers=keys["agent"])
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail.startswith(f"{where}: ") and why in detail, detail


@BOTH_DATABASES  # store-heavy: SQLite and PostgreSQL
def test_endpoints_resolved_ticket_joins_its_prediction(client: TestClient, keys: Keys) -> None:
    pid = _triage(client, keys, VPN_TICKET | {"ticket_id": "INC-7"})["prediction_id"]
    resolved = VPN_TICKET | {
        "ticket_id": "INC-7",
        "category": "Network",
        "priority": "P1",
        "support_line": 2,
        "solution": "restarted the router",
    }
    r = client.post(
        "/v1/tickets/resolved",
        json={"ticket": resolved, "prediction_id": pid},
        headers=keys["triage"],
    )
    assert r.status_code == 201, r.text
    stats = client.get("/v1/stats", headers=keys["admin"]).json()
    assert stats["resolved_with_prediction"] == 1
    assert stats["targets"]["category"]["precision"] == 1.0
    # the autos priced at the serving model's cost ratio: right ones only, so worth >= 0
    category = stats["targets"]["category"]
    assert stats["cost_ratio"] == 10.0 and category["auto_wrong"] == 0
    assert category["auto_worth_per_judged"] == category["auto_judged"] / category["judged"]


def test_endpoints_model_shows_the_manifest(client: TestClient, keys: Keys) -> None:
    body = client.get("/v1/model", headers=keys["agent"]).json()
    assert body["version"] == "v1"
    assert set(body["manifest"]["labels"]["category"]) == {
        "Network",
        "Hardware",
        "Access",
        "Database",
    }
    assert "files" not in body["manifest"]
    policy = body["manifest"]["policy"]  # which classes and targets can never auto-apply
    assert set(policy["targets"]) == {"category", "priority", "support_line"}
    assert {"margin", "never_auto", "never_auto_classes"} <= set(policy["targets"]["category"])


def test_endpoints_triage_returns_similar_tickets_and_evidence(
    client: TestClient, keys: Keys
) -> None:
    body = _triage(client, keys)
    assert body["similar"] and all(s["category"] == "Network" for s in body["similar"])
    assert body["similar"][0]["solution"].startswith("fixed network")
    votes = {e["target"]: e for e in body["evidence"]}
    assert (
        votes["category"]["label"] == "Network" and "most similar" in votes["category"]["sentence"]
    )


def test_endpoints_search_similar_and_kb(client: TestClient, keys: Keys) -> None:
    r = client.get("/v1/similar", params={"q": "vpn router dns", "k": 3}, headers=keys["agent"])
    assert r.status_code == 200, r.text
    hits = r.json()["similar"]
    assert 1 <= len(hits) <= 3 and all(h["category"] == "Network" for h in hits)
    r = client.get("/v1/kb/search", params={"q": "vpn router dns"}, headers=keys["agent"])
    assert r.status_code == 200 and r.json()["kb"][0]["article_id"] == "KB-1"


def test_endpoints_resolved_ticket_is_searchable_at_once(client: TestClient, keys: Keys) -> None:
    new = {
        "ticket_id": "INC-NEW",
        "subject": "zebra vpn router",
        "body": "zebra dns outage",
        "category": "Network",
        "solution": "rebooted the zebra gateway",
    }
    r = client.post("/v1/tickets/resolved", json={"ticket": new}, headers=keys["triage"])
    assert r.status_code == 201 and r.json()["searchable"] is True
    r = client.get("/v1/similar", params={"q": "zebra vpn router zebra dns"}, headers=keys["agent"])
    assert r.json()["similar"][0]["ticket_id"] == "INC-NEW"


@BOTH_DATABASES  # store-heavy: SQLite and PostgreSQL
def test_endpoints_reload_keeps_tickets_resolved_since_the_bundle(
    client: TestClient, keys: Keys, bundle_v2: Path
) -> None:
    new = {
        "ticket_id": "INC-ZEBRA",
        "subject": "zebra vpn router",
        "body": "zebra dns outage",
        "category": "Network",
        "solution": "rebooted the zebra gateway",
    }
    client.post("/v1/tickets/resolved", json={"ticket": new}, headers=keys["triage"])
    r = client.post("/v1/admin/reload", json={"bundle_dir": str(bundle_v2)}, headers=keys["admin"])
    assert r.json()["version"] == "v2"
    r = client.get("/v1/similar", params={"q": "zebra vpn router zebra dns"}, headers=keys["agent"])
    assert r.json()["model_version"] == "v2" and r.json()["similar"][0]["ticket_id"] == "INC-ZEBRA"


@BOTH_DATABASES  # store-heavy: SQLite and PostgreSQL
def test_endpoints_reload_catches_up_a_ticket_resolved_while_it_loads(
    client: TestClient, keys: Keys, bundle_v2: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ticket resolved after the reload's replay but before its swap is in the new index."""
    from api.ticket_log import TicketLogTail
    from triage.schema import Status, Ticket
    from triage.store.records import ResolvedRecord

    replay = TicketLogTail.replay
    late = Ticket(
        ticket_id="INC-LATE",
        subject="zebra vpn router",
        body="zebra dns outage",
        category="Network",
        status=Status.RESOLVED,
        solution="rebooted the zebra gateway",
    )

    def replay_then_resolve(self, triager):  # type: ignore[no-untyped-def]
        read_up_to = replay(self, triager)  # the replay has read the log: resolve one now
        self.store.record_resolved(ResolvedRecord(late))
        return read_up_to

    monkeypatch.setattr(TicketLogTail, "replay", replay_then_resolve)
    r = client.post("/v1/admin/reload", json={"bundle_dir": str(bundle_v2)}, headers=keys["admin"])
    assert r.json()["version"] == "v2"
    r = client.get("/v1/similar", params={"q": "zebra vpn router zebra dns"}, headers=keys["agent"])
    assert r.json()["model_version"] == "v2" and r.json()["similar"][0]["ticket_id"] == "INC-LATE"


def test_endpoints_search_without_retrieval_index_is_503(  # type: ignore[no-untyped-def]
    make_settings, bundle_plain: Path
) -> None:
    from api.app import create_app

    with TestClient(create_app(make_settings(bundle_dir=bundle_plain))) as c:
        keys = issue_keys(c)
        r = c.get("/v1/similar", params={"q": "vpn down"}, headers=keys["agent"])
        assert r.status_code == 503 and "retrieval" in r.json()["detail"]
        assert _triage(c, keys)["similar"] == []


def test_endpoints_reload_swaps_the_version(
    client: TestClient, keys: Keys, bundle_v2: Path
) -> None:
    r = client.post("/v1/admin/reload", json={"bundle_dir": str(bundle_v2)}, headers=keys["admin"])
    assert r.status_code == 200, r.text
    assert r.json() == {"previous_version": "v1", "version": "v2"}
    assert _triage(client, keys)["model_version"] == "v2"
    assert 'triage_model_info{version="v2"} 1.0' in client.get("/metrics").text


def test_endpoints_reload_refuses_a_tampered_bundle(
    client: TestClient, keys: Keys, bundle_v2: Path, tmp_path: Path
) -> None:
    bad = shutil.copytree(bundle_v2, tmp_path / "tampered")
    with (bad / "model.skops").open("ab") as handle:
        handle.write(b"x")
    r = client.post("/v1/admin/reload", json={"bundle_dir": str(bad)}, headers=keys["admin"])
    assert r.status_code == 422 and "checksum" in r.json()["detail"]
    assert "still serving v1" in r.json()["detail"]
    assert _triage(client, keys)["model_version"] == "v1"


def test_endpoints_metrics_count_predictions_and_requests(client: TestClient, keys: Keys) -> None:
    _triage(client, keys)
    text = client.get("/metrics").text
    assert "triage_predictions_total{action=" in text and 'label="Network"' in text
    assert 'triage_http_requests_total{method="POST",route="/v1/triage",status="200"}' in text
    assert "triage_queue_depth 0.0" in text


def test_endpoints_openapi_documents_every_route_with_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/triage",
        "/v1/triage/batch",
        "/v1/feedback",
        "/v1/tickets/resolved",
        "/v1/similar",
        "/v1/kb/search",
        "/v1/model",
        "/v1/admin/reload",
        "/v1/stats",
        "/health/live",
        "/health/ready",
        "/metrics",
    ):
        assert path in spec["paths"], path
    assert spec["components"]["schemas"]["TriageRequest"]["examples"]
    assert "APIKeyHeader" in spec["components"]["securitySchemes"]


def test_endpoints_reload_under_traffic_drops_no_request(
    client: TestClient, keys: Keys, bundle_v2: Path
) -> None:
    import threading

    results: list[tuple[int, str]] = []

    def hammer() -> None:
        for _ in range(10):
            r = client.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"])
            results.append((r.status_code, r.json().get("model_version", "")))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    r = client.post("/v1/admin/reload", json={"bundle_dir": str(bundle_v2)}, headers=keys["admin"])
    for t in threads:
        t.join(60)
    assert r.status_code == 200
    assert len(results) == 40 and {s for s, _ in results} == {200}
    assert {v for _, v in results} <= {"v1", "v2"}
    assert _triage(client, keys)["model_version"] == "v2"


@BOTH_DATABASES  # store-heavy: SQLite and PostgreSQL
def test_endpoints_restart_keeps_resolved_tickets_searchable(
    make_settings, bundle_v1: Path
) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    settings = make_settings(bundle_dir=bundle_v1)
    new = {
        "ticket_id": "INC-OKAPI",
        "subject": "okapi vpn router",
        "body": "okapi dns outage",
        "category": "Network",
        "solution": "replaced the okapi switch",
    }
    with TestClient(create_app(settings)) as c:
        c.post("/v1/tickets/resolved", json={"ticket": new}, headers=issue_keys(c)["triage"])
    with TestClient(create_app(settings)) as c:  # a restart: same bundle, same database
        r = c.get(
            "/v1/similar",
            params={"q": "okapi vpn router okapi dns"},
            headers=issue_keys(c)["agent"],
        )
    assert r.json()["similar"][0]["ticket_id"] == "INC-OKAPI"


def test_endpoints_triage_embeds_each_ticket_once(client: TestClient, keys: Keys) -> None:
    triager = state_of(client.app).models.current.triager
    calls: list[int] = []
    encode = triager.embedder.encode

    def counting(texts: list[str], *args: object, **kwargs: object) -> object:
        calls.append(len(texts))
        return encode(texts, *args, **kwargs)

    triager.embedder.encode = counting
    try:
        body = _triage(client, keys, {"subject": "qqq zzz", "body": "xxyyzz wwvvuu"})
    finally:
        del triager.embedder.encode
    assert body["kb"] == []  # nothing passed the KB cut-off ...
    assert calls == [1]  # ... and the service did not embed the text again to search once more
