"""Two service instances on one database agree (SQLite and a real PostgreSQL): feedback on the
other's prediction, resolved tickets, reloads; a busy database is a 503, never a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from db_locks import held_write_lock
from fastapi.testclient import TestClient
from service_helpers import BOTH_DATABASES, VPN_TICKET, issue_keys

from api.app import create_app
from api.settings import Settings
from api.state import state_of

pytestmark = BOTH_DATABASES
Keys = dict[str, dict[str, str]]
ZEBRA = {
    "ticket_id": "INC-ZEBRA",
    "subject": "zebra vpn router",
    "body": "zebra dns outage",
    "category": "Network",
    "solution": "rebooted the zebra gateway",
}


@pytest.fixture()
def pair(
    make_settings: Callable[..., Settings], bundle_v1: Path, database_url: str
) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps (two workers) on one database; they follow the shared state only when a test
    calls `poll_once` (the poll thread waits a minute), so nothing depends on timing."""
    settings = make_settings(bundle_dir=bundle_v1, database_url=database_url, replica_poll_s=60)
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        yield a, b


def _poll(client: TestClient) -> None:
    state_of(client.app).follower.poll_once()


def _similar_ids(client: TestClient, keys: Keys) -> list[str]:
    r = client.get("/v1/similar", params={"q": "zebra vpn router zebra dns"}, headers=keys["agent"])
    assert r.status_code == 200, r.text
    return [h["ticket_id"] for h in r.json()["similar"]]


def test_shared_feedback_on_the_other_workers_prediction_is_accepted(
    pair: tuple[TestClient, TestClient],
) -> None:
    a, b = pair
    keys = issue_keys(a)
    pid = a.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"]).json()[
        "prediction_id"
    ]  # queued on a's writer: b waits for the commit instead of answering 404
    r = b.post(
        "/v1/feedback", json={"prediction_id": pid, "outcome": "accepted"}, headers=keys["agent"]
    )
    assert r.status_code == 201, r.text


def test_shared_resolved_ticket_is_searchable_on_the_other_worker_after_a_poll(
    pair: tuple[TestClient, TestClient],
) -> None:
    a, b = pair
    keys = issue_keys(a)
    r = a.post("/v1/tickets/resolved", json={"ticket": ZEBRA}, headers=keys["triage"])
    assert r.status_code == 201 and r.json()["searchable"] is True
    assert _similar_ids(a, keys)[0] == "INC-ZEBRA"
    assert "INC-ZEBRA" not in _similar_ids(b, keys)  # b has not polled the log yet
    _poll(b)
    assert _similar_ids(b, keys)[0] == "INC-ZEBRA"
    assert "triage_ticket_log_delay_seconds_count 1.0" in b.get("/metrics").text


def test_shared_own_resolved_ticket_is_not_embedded_again_but_a_newer_version_is(
    pair: tuple[TestClient, TestClient],
) -> None:
    a, b = pair
    keys = issue_keys(a)
    assert a.post("/v1/tickets/resolved", json={"ticket": ZEBRA}, headers=keys["triage"]).json()[
        "searchable"
    ]
    _poll(a)  # the log echoes a's own ticket: already in a's index, not embedded twice
    metrics = a.get("/metrics").text
    assert 'triage_ticket_log_tickets_total{outcome="already_indexed"} 1.0' in metrics
    assert 'triage_ticket_log_tickets_total{outcome="embedded"} 0.0' in metrics
    newer = {**ZEBRA, "solution": "replaced the zebra gateway's power supply"}
    r = b.post("/v1/tickets/resolved", json={"ticket": newer}, headers=keys["triage"])
    assert r.status_code == 201, r.text
    _poll(a)  # another worker's newer version of the same ticket is embedded here
    assert 'triage_ticket_log_tickets_total{outcome="embedded"} 1.0' in a.get("/metrics").text
    hits = a.get("/v1/similar", params={"q": "zebra vpn router zebra dns"}, headers=keys["agent"])
    top = hits.json()["similar"][0]
    assert top["ticket_id"] == "INC-ZEBRA" and "power supply" in top["solution"]


def test_shared_reload_reaches_the_other_worker_and_a_new_one(
    pair: tuple[TestClient, TestClient],
    bundle_v2: Path,
    make_settings: Callable[..., Settings],
    bundle_v1: Path,
    database_url: str,
) -> None:
    a, b = pair
    keys = issue_keys(a)
    a.post("/v1/tickets/resolved", json={"ticket": ZEBRA}, headers=keys["triage"])
    r = a.post("/v1/admin/reload", json={"bundle_dir": str(bundle_v2)}, headers=keys["admin"])
    assert r.json() == {"previous_version": "v1", "version": "v2"}
    triage = {"json": {"ticket": VPN_TICKET}, "headers": keys["triage"]}
    assert b.post("/v1/triage", **triage).json()["model_version"] == "v1"  # type: ignore[arg-type]
    _poll(b)
    assert b.post("/v1/triage", **triage).json()["model_version"] == "v2"  # type: ignore[arg-type]
    assert _similar_ids(b, keys)[0] == "INC-ZEBRA"  # the new index replayed the log
    # a worker started later with the old TRIAGE_BUNDLE_DIR follows the request, not its setting
    settings = make_settings(bundle_dir=bundle_v1, database_url=database_url, replica_poll_s=60)
    with TestClient(create_app(settings)) as c:
        assert c.get("/health/ready").json()["model_version"] == "v2"


def test_shared_refused_bundle_is_not_requested_of_the_others(
    pair: tuple[TestClient, TestClient], tmp_path: Path
) -> None:
    a, _ = pair
    keys = issue_keys(a)
    r = a.post("/v1/admin/reload", json={"bundle_dir": str(tmp_path)}, headers=keys["admin"])
    assert r.status_code == 422
    assert state_of(a.app).store.desired_bundle() is None


def _busy_client(
    make_settings: Callable[..., Settings], bundle: Path, url: str, batched: bool = True
) -> TestClient:
    settings = make_settings(
        bundle_dir=bundle,
        database_url=url,
        database_lock_timeout_s=0.2,
        batch_prediction_writes=batched,
    )
    return TestClient(create_app(settings))


def _assert_busy_problem(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["retry-after"] == "1" and "retry in a moment" in r.json()["detail"]


def test_shared_busy_database_is_503_with_retry_after_and_counted(
    make_settings: Callable[..., Settings], bundle_v1: Path, database_url: str
) -> None:
    with _busy_client(make_settings, bundle_v1, database_url) as client:
        keys = issue_keys(client)
        pid = client.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"]).json()[
            "prediction_id"
        ]
        state_of(client.app).writer.flush()
        feedback = {"prediction_id": pid, "outcome": "accepted"}
        with held_write_lock(database_url, "feedback"):
            r = client.post("/v1/feedback", json=feedback, headers=keys["agent"])
        _assert_busy_problem(r)
        metrics = client.get("/metrics").text
        assert 'triage_store_write_failures_total{operation="record_feedback"} 1.0' in metrics
        assert 'triage_store_busy_total{operation="record_feedback"} 1.0' in metrics
        assert client.post("/v1/feedback", json=feedback, headers=keys["agent"]).status_code == 201


@pytest.mark.parametrize("batched", [True, False])
def test_shared_prediction_write_failures_are_counted(
    make_settings: Callable[..., Settings], bundle_v1: Path, database_url: str, batched: bool
) -> None:
    """Queued writes (the default) answer first and count the failed commit; synchronous
    writes answer 503."""
    with _busy_client(make_settings, bundle_v1, database_url, batched) as client:
        keys = issue_keys(client)
        with held_write_lock(database_url, "predictions"):
            r = client.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"])
            if batched:
                assert r.status_code == 200
                state_of(client.app).writer.flush()
            else:
                _assert_busy_problem(r)
        metrics = client.get("/metrics").text
        assert 'triage_store_write_failures_total{operation="record_predictions"} 1.0' in metrics


def test_shared_desired_bundle_outside_the_root_is_not_followed(
    make_settings: Callable[..., Settings], bundle_v1: Path, bundle_v2: Path
) -> None:
    settings = make_settings(bundle_dir=bundle_v1, bundle_root=bundle_v1.parent, replica_poll_s=60)
    with TestClient(create_app(settings)) as client:
        state_of(client.app).store.request_bundle(str(bundle_v2))
        _poll(client)
        assert client.get("/health/ready").json()["model_version"] == "v1"
    with TestClient(create_app(settings)) as restarted:  # nor at start
        assert restarted.get("/health/ready").json()["model_version"] == "v1"
