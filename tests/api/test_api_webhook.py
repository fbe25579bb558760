"""Webhook deliveries against a real local HTTP receiver: signed, retried with back-off after
failures, given up on a refusal, never blocking the sender; and an incident from the service."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from insight_helpers import key_for, triaged_background

from api.app import create_app
from api.settings import Settings
from api.state import state_of
from api.webhook import WebhookSender, sign, verify

SECRET = "s3cret-for-tests"


class Receiver:
    """A real HTTP server on 127.0.0.1 answering each POST with the next scripted status."""

    def __init__(self, statuses: list[int], delay_s: float = 0.0) -> None:
        self.statuses, self.delay_s = list(statuses), delay_s
        self.requests: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        self.started = threading.Event()  # a POST reached the handler (before the delay)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.started.set()
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay_s)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.requests.append(
                    {"headers": dict(self.headers), "body": body, "status": status}
                )
                self.send_response(status)
                self.end_headers()
                if status == 200:
                    receiver.arrived.set()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver_factory() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(statuses: list[int], delay_s: float = 0.0) -> Receiver:
        made.append(Receiver(statuses, delay_s))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def _sender(url: str, outcomes: list[str], **kwargs: Any) -> WebhookSender:
    sender = WebhookSender(url, SECRET, backoff_s=0.05, observe=outcomes.append, **kwargs)
    sender.start()
    return sender


def test_webhook_retries_with_backoff_until_delivered(receiver_factory: Callable) -> None:
    receiver = receiver_factory([503, 500, 200])
    outcomes: list[str] = []
    sender = _sender(receiver.url, outcomes)
    delivery_id = sender.send("incident.emerging", {"incident": {"incident_id": "inc-1"}})
    assert receiver.arrived.wait(10)
    sender.close()
    assert [r["status"] for r in receiver.requests] == [503, 500, 200]
    ids = {r["headers"]["X-Triage-Delivery"] for r in receiver.requests}
    assert ids == {delivery_id}  # the same delivery id on every retry: receivers deduplicate
    last = receiver.requests[-1]
    headers, body = last["headers"], last["body"]
    assert verify(SECRET, headers["X-Triage-Timestamp"], body, headers["X-Triage-Signature"])
    assert json.loads(body)["incident"]["incident_id"] == "inc-1"
    assert outcomes == ["delivered"]


def test_webhook_gives_up_on_a_refusal_and_after_max_attempts(receiver_factory: Callable) -> None:
    refusing = receiver_factory([400])
    outcomes: list[str] = []
    sender = _sender(refusing.url, outcomes)
    sender.send("incident.emerging", {})
    refusing.wait(1)
    time.sleep(0.3)
    sender.close()
    assert len(refusing.requests) == 1 and outcomes == ["failed"]  # 400: no point retrying

    failing = receiver_factory([503] * 10)
    outcomes = []
    sender = _sender(failing.url, outcomes, max_attempts=3)
    sender.send("incident.emerging", {})
    failing.wait(3)
    time.sleep(0.5)
    sender.close()
    assert len(failing.requests) == 3 and outcomes == ["failed"]


def test_webhook_send_never_blocks_on_a_slow_receiver(receiver_factory: Callable) -> None:
    slow = receiver_factory([200], delay_s=1.0)
    outcomes: list[str] = []
    sender = _sender(slow.url, outcomes, capacity=2)
    sender.send("incident.emerging", {})
    assert slow.started.wait(5)  # the first event is in flight: the queue is empty again
    start = time.perf_counter()
    for _ in range(4):  # two queued, two dropped
        sender.send("incident.emerging", {})
    assert time.perf_counter() - start < 0.2
    assert outcomes == ["dropped", "dropped"]  # dropped by `send` itself, at once
    sender.close(timeout_s=3)  # ends after the delivery in flight; the queued two are abandoned
    assert outcomes == ["dropped", "dropped", "delivered"]
    assert len(slow.requests) == 1


def test_webhook_unreachable_receiver_is_retried_then_failed() -> None:
    outcomes: list[str] = []
    sender = _sender("http://127.0.0.1:9/unreachable", outcomes, max_attempts=2, timeout_s=0.5)
    sender.send("incident.emerging", {})
    deadline = time.monotonic() + 10
    while not outcomes and time.monotonic() < deadline:
        time.sleep(0.05)
    sender.close()
    assert outcomes == ["failed"] and sender.attempts == 2


def test_webhook_signature_refuses_tampering_and_replays() -> None:
    now = str(int(time.time()))
    body = b'{"event": "incident.emerging"}'
    signature = sign(SECRET, now, body)
    assert verify(SECRET, now, body, signature)
    assert not verify(SECRET, now, body + b" ", signature)
    assert not verify("other", now, body, signature)
    old = str(int(time.time()) - 3600)
    assert not verify(SECRET, old, body, sign(SECRET, old, body))


def test_webhook_from_the_service_on_an_emerging_incident(
    make_settings: Callable[..., Settings], bundle_v1: Path, receiver_factory: Callable
) -> None:
    receiver = receiver_factory([502, 200])
    settings = make_settings(
        bundle_dir=bundle_v1,
        insight_embedder="hashing-64",
        incident_poll_s=3600,
        webhook_url=receiver.url,
        webhook_secret=SECRET,
        webhook_backoff_s=0.05,
    )
    with TestClient(create_app(settings)) as client:
        triaged_background(client)
        key = key_for(client, "triage")
        for i in range(6):
            ticket = {"ticket_id": f"OUT-{i}", "subject": "AFAS InSite down", "body": "AFAS error"}
            assert (
                client.post("/v1/triage", json={"ticket": ticket}, headers=key).status_code == 200
            )
        state_of(client.app).writer.flush()
        assert len(state_of(client.app).insight.monitor.poll()) == 1
        assert receiver.arrived.wait(10)
        metrics = client.get("/metrics").text
    payload = json.loads(receiver.requests[-1]["body"])
    assert payload["event"] == "incident.emerging"
    assert sorted(payload["incident"]["ticket_ids"]) == [f"OUT-{i}" for i in range(6)]
    assert payload["incident"]["name"] == "AFAS InSite down"
    assert 'triage_webhook_deliveries_total{outcome="delivered"} 1.0' in metrics


def test_webhook_two_workers_on_one_store_alert_once(
    make_settings: Callable[..., Settings], bundle_v1: Path, receiver_factory: Callable
) -> None:
    """Two apps (as two uvicorn workers) on one database: both monitors see the burst, the
    incident table lets only the first send the webhook."""
    receiver = receiver_factory([200, 200])
    settings = make_settings(
        bundle_dir=bundle_v1,
        insight_embedder="hashing-64",
        incident_poll_s=3600,
        webhook_url=receiver.url,
        webhook_secret=SECRET,
    )
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        triaged_background(one)
        key = key_for(one, "triage")
        for i in range(6):
            ticket = {"ticket_id": f"OUT-{i}", "subject": "AFAS InSite down", "body": "AFAS error"}
            client = one if i % 2 else two  # the load balancer spreads the burst
            assert (
                client.post("/v1/triage", json={"ticket": ticket}, headers=key).status_code == 200
            )
        for client in (one, two):
            state_of(client.app).writer.flush()
        raised = [state_of(c.app).insight.monitor.poll() for c in (one, two)]
        assert [len(r) for r in raised] == [1, 1]  # each worker detects it...
        assert receiver.arrived.wait(10)
        time.sleep(0.5)  # a second delivery would have arrived by now
        alerts = [c.get("/metrics").text for c in (one, two)]
        ledger = state_of(one.app).insight.ledger
        recorded = ledger.recorded()
    assert len(receiver.requests) == 1  # ...and one webhook is sent
    assert [r["incident_id"] for r in recorded] == [raised[0][0].incident_id]
    assert sum("triage_incident_alerts_total 1.0" in text for text in alerts) == 1
