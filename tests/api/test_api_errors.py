"""Every error path as problem+json: 401, 403, 413, 422, 429, 503, 500; CORS off; logs clean.

The 429 / health-under-load / 500 tests use `FakeGatedTriager` (HTTP mechanics, no model claim).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_fakes import FakeGatedTriager
from service_helpers import VPN_TICKET, issue_keys

from api.app import create_app
from api.state import state_of

PROBLEM = "application/problem+json"


def _is_problem(r, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status and body["detail"] and "Traceback" not in r.text
    return body


@pytest.fixture()
def unready(make_settings) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings())) as c:
        yield c


def test_errors_no_bundle_starts_unready_and_503s(unready: TestClient) -> None:
    keys = issue_keys(unready)
    assert unready.get("/health/live").status_code == 200
    assert unready.get("/health/ready").status_code == 503
    body = _is_problem(
        unready.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"]), 503
    )
    assert "TRIAGE_BUNDLE_DIR" in body["detail"]
    _is_problem(unready.get("/v1/model", headers=keys["agent"]), 503)
    _is_problem(unready.get("/v1/similar", params={"q": "vpn"}, headers=keys["agent"]), 503)


def test_errors_reload_fixes_an_unready_service(
    unready: TestClient, bundle_v1: Path, tmp_path: Path
) -> None:
    keys = issue_keys(unready)
    r = unready.post(
        "/v1/admin/reload", json={"bundle_dir": str(tmp_path / "nope")}, headers=keys["admin"]
    )
    assert "no such bundle" in _is_problem(r, 404)["detail"]
    assert unready.get("/health/ready").status_code == 503
    r = unready.post("/v1/admin/reload", json={"bundle_dir": str(bundle_v1)}, headers=keys["admin"])
    assert r.status_code == 200 and r.json()["previous_version"] is None
    assert unready.get("/health/ready").status_code == 200


def test_errors_reload_outside_the_bundle_root_is_refused(  # type: ignore[no-untyped-def]
    make_settings, bundle_v1: Path, tmp_path: Path
) -> None:
    with TestClient(create_app(make_settings(bundle_root=tmp_path / "models"))) as c:
        keys = issue_keys(c)
        r = c.post("/v1/admin/reload", json={"bundle_dir": str(bundle_v1)}, headers=keys["admin"])
        assert "outside TRIAGE_BUNDLE_ROOT" in _is_problem(r, 403)["detail"]


def test_errors_a_broken_configured_bundle_starts_unready(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(bundle_dir=tmp_path / "missing"))) as c:
        assert c.get("/health/ready").status_code == 503


def test_errors_missing_or_wrong_key_is_401(client: TestClient, keys) -> None:  # type: ignore[no-untyped-def]
    _is_problem(client.post("/v1/triage", json={"ticket": VPN_TICKET}), 401)
    bad = {"X-API-Key": keys["triage"]["X-API-Key"][:-2] + "zz"}
    _is_problem(client.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=bad), 401)
    _is_problem(
        client.post("/v1/triage", json={"ticket": VPN_TICKET}, headers={"X-API-Key": "x" * 500}),
        401,
    )


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("post", "/v1/triage", "agent"),
        ("post", "/v1/feedback", "triage"),
        ("get", "/v1/similar?q=vpn", "triage"),
        ("get", "/v1/stats", "agent"),
        ("post", "/v1/admin/reload", "triage"),
    ],
)
def test_errors_key_without_the_scope_is_403(
    client: TestClient, keys, method: str, path: str, scope: str
) -> None:  # type: ignore[no-untyped-def]
    r = client.request(method, path, json={}, headers=keys[scope])
    assert "needs" in _is_problem(r, 403)["detail"]


def test_errors_body_over_the_limit_is_413(make_settings, bundle_v1: Path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(bundle_dir=bundle_v1, max_body_bytes=2_000))) as c:
        keys = issue_keys(c)
        big = {"ticket": {"subject": "vpn", "body": "x" * 5_000}}
        _is_problem(c.post("/v1/triage", json=big, headers=keys["triage"]), 413)

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            yield b'{"ticket": {"subject": "vpn", "body": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}}'

        headers = keys["triage"] | {"content-type": "application/json"}
        _is_problem(c.post("/v1/triage", content=chunks(), headers=headers), 413)
        assert (
            c.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"]).status_code
            == 200
        )


@pytest.mark.parametrize(
    ("ticket", "where"),
    [
        (VPN_TICKET | {"colour": "red"}, "body.ticket.colour"),  # unknown extra field
        ({"subject": "", "body": "   "}, "body.ticket"),  # no text
        ({"subject": "vpn", "body": "b" * 20_001}, "body.ticket.body"),  # over the field limit
        (VPN_TICKET | {"priority": "P9"}, "body.ticket.priority"),
        (VPN_TICKET | {"created_at": "2025-01-01T10:00:00"}, "body.ticket.created_at"),  # naive
        (VPN_TICKET | {"ticket_id": "has spaces / slashes"}, "body.ticket.ticket_id"),
    ],
)
def test_errors_invalid_ticket_is_422(client: TestClient, keys, ticket: dict, where: str) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/v1/triage", json={"ticket": ticket}, headers=keys["triage"])
    assert _is_problem(r, 422)["detail"].startswith(f"{where}: "), r.text


def test_errors_422_does_not_echo_ticket_text(client: TestClient, keys) -> None:  # type: ignore[no-untyped-def]
    secret = "PERSONAL-secret-text"
    r = client.post(
        "/v1/triage", json={"ticket": {"subject": secret, "x": secret}}, headers=keys["triage"]
    )
    body = _is_problem(r, 422)
    assert secret not in r.text and body["errors"][0]["loc"] == ["body", "ticket", "x"]


def test_errors_unknown_top_level_field_is_422(client: TestClient, keys) -> None:  # type: ignore[no-untyped-def]
    r = client.post(
        "/v1/triage", json={"ticket": VPN_TICKET, "debug": True}, headers=keys["triage"]
    )
    assert _is_problem(r, 422)["detail"].startswith("body.debug: Extra inputs"), r.text


def test_errors_full_queue_is_429_and_health_stays_fast(make_settings) -> None:  # type: ignore[no-untyped-def]
    """FAKE triager: holds inference so the queue fills deterministically."""
    settings = make_settings(queue_capacity=2, max_batch_tickets=1, micro_batch_size=1)
    fake = FakeGatedTriager()
    with TestClient(create_app(settings)) as c:
        keys = issue_keys(c)
        state_of(c.app).models.swap(fake, Path("fake"))
        statuses: list[int] = []

        def post() -> None:
            statuses.append(
                c.post(
                    "/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"]
                ).status_code
            )

        threads = [threading.Thread(target=post) for _ in range(2)]
        threads[0].start()
        assert fake.entered.wait(10)
        threads[1].start()
        for _ in range(500):  # wait (up to 10 s) until the second request is queued
            if state_of(c.app).batcher.pending == 2:
                break
            threading.Event().wait(0.02)
        r = c.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"])
        assert int(r.headers["Retry-After"]) >= 1
        _is_problem(r, 429)
        assert c.get("/health/live").status_code == 200  # answered while inference is blocked
        assert c.get("/health/ready").status_code == 200
        metrics = c.get("/metrics").text
        assert "triage_queue_depth 2.0" in metrics
        assert "triage_rejected_total 1.0" in metrics
        fake.gate.set()
        for t in threads:
            t.join(10)
    assert statuses == [200, 200]


def test_errors_unexpected_failure_is_500_problem_without_trace(make_settings) -> None:  # type: ignore[no-untyped-def]
    """FAKE triager that raises: the client gets problem+json, never a stack trace."""

    class Exploding(FakeGatedTriager):
        def predict_many(self, tickets, **k):  # type: ignore[no-untyped-def]
            raise RuntimeError("secret internal detail")

    with TestClient(create_app(make_settings()), raise_server_exceptions=False) as c:
        keys = issue_keys(c)
        state_of(c.app).models.swap(Exploding(), Path("fake"))
        r = c.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"])
    body = _is_problem(r, 500)
    assert "secret internal detail" not in body["detail"]
    assert r.headers["X-Request-ID"] == body["request_id"]


def test_errors_cors_is_off_by_default(client: TestClient) -> None:
    r = client.options(
        "/v1/triage",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in r.headers


def test_errors_logs_have_request_id_and_no_ticket_text(client: TestClient, keys) -> None:  # type: ignore[no-untyped-def]
    from api.logs import JsonFormatter

    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(JsonFormatter().format(record))  # type: ignore[method-assign]
    loggers = [logging.getLogger(n) for n in ("api", "triage")]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        secret = "Jane Doe printer secret-4711"
        r = client.post(
            "/v1/triage",
            json={"ticket": {"subject": secret, "requester": "jane@x.org"}},
            headers=keys["triage"] | {"X-Request-ID": "req-42"},
        )
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
    assert r.status_code == 200 and r.headers["x-request-id"] == "req-42"
    assert any(
        '"request_id": "req-42"' in line and '"model_version": "v1"' in line for line in records
    )
    assert not any("secret-4711" in line or "jane@x.org" in line for line in records)
