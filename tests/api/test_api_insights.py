"""Insight routes through the real app: the lead scope, KPIs from the store, clusters, KB gaps,
emerging incidents from triaged tickets (monitor polled by hand) and their Prometheus gauges."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from insight_helpers import NOW, key_for, triaged_background

from api.app import create_app
from api.settings import Settings
from api.state import state_of
from triage.dataset import write_articles
from triage.schema import KBArticle


@pytest.fixture()
def insight_client(
    make_settings: Callable[..., Settings], bundle_v1: Path, tmp_path: Path
) -> Iterator[TestClient]:
    kb = write_articles(
        [KBArticle(article_id="KB-1", title="VPN", body="vpn router dns reconnect")],
        tmp_path / "kb.parquet",
    )
    settings = make_settings(
        bundle_dir=bundle_v1,
        insight_embedder="hashing-64",
        incident_poll_s=3600,  # polled by hand below
        kb_path=kb,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _resolve(client: TestClient, key: dict[str, str], n: int, text: str, **fields: object) -> None:
    for i in range(n):
        ticket = {
            "ticket_id": f"{text[:3]}-{i}",
            "subject": text,
            "body": f"{text} again",
            "created_at": (NOW - timedelta(hours=2 * i + 1)).isoformat(),
            "resolved_at": (NOW - timedelta(hours=2 * i)).isoformat(),
            "priority": "P3",
            "support_line": 1 + i % 2,
            "category": "Network",
            "solution": "Router restarted",
            **fields,
        }
        r = client.post("/v1/tickets/resolved", json={"ticket": ticket}, headers=key)
        assert r.status_code == 201, r.text


def test_insights_need_the_lead_or_admin_scope(insight_client: TestClient) -> None:
    for scope, status in (("triage", 403), ("agent", 403), ("lead", 200), ("admin", 200)):
        r = insight_client.get("/v1/insights/kpi", headers=key_for(insight_client, scope))
        assert r.status_code == status, (scope, r.text)
    assert insight_client.get("/v1/incidents/emerging").status_code == 401


def test_insights_kpi_from_the_store_with_missing_fields_unavailable(
    insight_client: TestClient,
) -> None:
    _resolve(insight_client, key_for(insight_client, "triage"), 10, "vpn router down")
    r = insight_client.get(
        "/v1/insights/kpi?days=7&period=day", headers=key_for(insight_client, "lead")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["tickets"] == 10
    kpis = body["kpis"]
    assert kpis["resolution_time"]["median_h"] == pytest.approx(1.0, abs=1e-3)
    assert kpis["resolution_time"]["by_priority"]["P3"]["within_sla"] == 1.0
    assert kpis["escalation"]["rate"] == pytest.approx(0.5)
    assert kpis["csat"] == {"available": False, "reason": kpis["csat"]["reason"]}
    assert "csat" in kpis["csat"]["reason"]
    assert body["peaks"]["available"] is True
    assert (
        insight_client.get(
            "/v1/insights/kpi?period=fortnight", headers=key_for(insight_client, "lead")
        ).status_code
        == 422
    )


def test_insights_kpi_reports_the_kpi_fields_a_ticket_system_sends(
    insight_client: TestClient,
) -> None:
    key = key_for(insight_client, "triage")
    for i in range(10):
        created = NOW - timedelta(hours=2 * i + 1)
        ticket = {
            "ticket_id": f"KPI-{i}",
            "subject": "vpn router down",
            "body": "vpn router down again",
            "created_at": created.isoformat(),
            "first_response_at": (created + timedelta(minutes=45)).isoformat(),
            "resolved_at": (created + timedelta(hours=1)).isoformat(),
            "priority": "P3",
            "support_line": 1 + i % 2,
            "reopened_count": 1 if i % 5 == 0 else 0,
            "escalated": i % 2 == 1,
            "csat": 1 + i % 5,
        }
        r = insight_client.post("/v1/tickets/resolved", json={"ticket": ticket}, headers=key)
        assert r.status_code == 201, r.text
    lead = key_for(insight_client, "lead")
    kpis = insight_client.get("/v1/insights/kpi?days=7", headers=lead).json()["kpis"]
    assert kpis["response_time"]["median_h"] == pytest.approx(0.75, abs=1e-3)
    assert kpis["response_time"]["by_priority"]["P3"]["within_sla"] == 1.0  # 45 min < 4 h
    assert kpis["reopened"]["rate"] == pytest.approx(0.2)  # tickets 0 and 5
    assert kpis["csat"]["mean"] == pytest.approx(3.0)
    assert kpis["csat"]["distribution"] == {str(s): 2 for s in range(1, 6)}
    assert kpis["escalation"]["escalated_flag_rate"] == pytest.approx(0.5)
    # first contact: resolved 15 min after the reply, never reopened, first line: 2, 4, 6, 8
    assert kpis["first_contact_resolution"]["rate"] == pytest.approx(0.4)


def test_insights_resolved_kpi_fields_out_of_range_are_refused(
    insight_client: TestClient,
) -> None:
    key = key_for(insight_client, "triage")
    base = {"ticket_id": "BAD-1", "subject": "vpn", "body": "vpn down"}
    for field, value in (("csat", 6), ("reopened_count", -1), ("escalated", "maybe")):
        body = {"ticket": {**base, field: value}}
        r = insight_client.post("/v1/tickets/resolved", json=body, headers=key)
        assert r.status_code == 422, (field, r.text)
        assert field in r.text
    late = {
        "created_at": NOW.isoformat(),
        "first_response_at": (NOW - timedelta(hours=1)).isoformat(),
    }
    r = insight_client.post("/v1/tickets/resolved", json={"ticket": {**base, **late}}, headers=key)
    assert r.status_code == 422 and "first_response_at" in r.text


def test_insights_clusters_and_kb_gaps(insight_client: TestClient) -> None:
    key = key_for(insight_client, "triage")
    _resolve(insight_client, key, 24, "vpn router dns reconnect")
    _resolve(insight_client, key, 24, "printer toner paper jam tray", category="Hardware")
    lead = key_for(insight_client, "lead")
    r = insight_client.get("/v1/insights/clusters?days=7&sort=time_spent_h", headers=lead)
    assert r.status_code == 200, r.text
    clusters = r.json()
    assert clusters["available"] is True
    assert clusters["new_categories"]["available"] is False  # resolved only: no predictions
    names = {c["category"]: c for c in clusters["items"]}
    assert {"Network", "Hardware"} <= set(names)
    assert names["Network"]["kb"]["article_id"] == "KB-1"
    gaps = insight_client.get("/v1/insights/kb-gaps?days=7", headers=lead).json()
    assert gaps["available"] is True
    assert [g["category"] for g in gaps["items"]] == ["Hardware"]  # no printer article
    assert "Router restarted" in gaps["items"][0]["draft"]["markdown"]


def test_insights_table_keeps_each_triaged_ticket_s_action_and_reason(
    insight_client: TestClient,
) -> None:
    """The store keeps the category's reason code beside its action, and insight's table reads
    both back: what tells an unsure ticket from one of a class that never auto-applies."""
    from triage.insight.sources import from_store

    key = key_for(insight_client, "triage")
    texts = {
        "R-1": ("VPN down", "vpn router dns reconnect fails for everyone"),
        "R-2": ("zorblax quuxit", "frobnicate wibble"),  # unfamiliar
    }
    answers = {}
    for ticket_id, (subject, body) in texts.items():
        ticket = {"ticket_id": ticket_id, "subject": subject, "body": body}
        r = insight_client.post("/v1/triage", json={"ticket": ticket}, headers=key)
        assert r.status_code == 200, r.text
        answers[ticket_id] = r.json()["predictions"]["category"]
    state = state_of(insight_client.app)
    assert state.writer.flush()
    table = from_store(state.store).set_index("ticket_id")
    for ticket_id, answer in answers.items():
        assert table.loc[ticket_id, "category_action"] == answer["action"]
        assert table.loc[ticket_id, "category_reason"] == answer["reason_code"]
    assert table.loc["R-2", "category_reason"] == "unfamiliar"


def test_insights_clusters_with_too_few_tickets_say_why(insight_client: TestClient) -> None:
    r = insight_client.get("/v1/insights/clusters", headers=key_for(insight_client, "lead"))
    assert r.status_code == 200
    body = r.json()
    assert body["available"] is False and body["items"] == []
    assert body["reason"] == "0 tickets in the last 30 days: too few to cluster"


def test_incidents_burst_of_triaged_tickets_is_reported(insight_client: TestClient) -> None:
    triaged_background(insight_client)
    key = key_for(insight_client, "triage")
    for i in range(8):
        text = "GlobalProtect gateway unreachable from the Stadhuis"
        body = {"ticket": {"ticket_id": f"OUT-{i}", "subject": "VPN down", "body": text}}
        assert insight_client.post("/v1/triage", json=body, headers=key).status_code == 200
    state_of(insight_client.app).writer.flush()
    monitor = state_of(insight_client.app).insight.monitor
    raised = monitor.poll()
    assert len(raised) == 1
    r = insight_client.get("/v1/incidents/emerging", headers=key_for(insight_client, "lead"))
    assert r.status_code == 200
    incidents = r.json()["incidents"]
    assert len(incidents) == 1
    assert sorted(incidents[0]["ticket_ids"]) == [f"OUT-{i}" for i in range(8)]
    assert incidents[0]["name"] == "VPN down"  # the subject of a ticket that raised it
    assert monitor.poll() == []  # nothing new: no second alert
    metrics = insight_client.get("/metrics").text
    assert "triage_incidents_open 1.0" in metrics
    assert "triage_incident_alerts_total 1.0" in metrics


def test_incidents_monitor_starts_on_the_first_request_by_default(
    make_settings: Callable[..., Settings], bundle_v1: Path
) -> None:
    """TRIAGE_INCIDENTS=auto without a webhook: no model loaded and nothing embedded until
    someone asks; the first request reads the recent history, so a burst already in the store
    is reported at once."""
    settings = make_settings(bundle_dir=bundle_v1, insight_embedder="hashing-64")
    assert settings.incidents == "auto"
    with TestClient(create_app(settings)) as client:
        monitor = state_of(client.app).insight.monitor
        triaged_background(client)
        key = key_for(client, "triage")
        for i in range(8):
            body = {"ticket": {"ticket_id": f"OUT-{i}", "subject": "VPN down", "body": "VPN down"}}
            assert client.post("/v1/triage", json=body, headers=key).status_code == 200
        state_of(client.app).writer.flush()
        assert not monitor.watching
        r = client.get("/v1/incidents/emerging", headers=key_for(client, "lead"))
        assert monitor.watching
    assert [len(i["ticket_ids"]) for i in r.json()["incidents"]] == [8]


def test_incidents_setting_accepts_the_old_booleans() -> None:
    assert Settings(incidents=True).incidents == "on"  # type: ignore[arg-type]
    assert Settings(incidents="false").incidents == "off"  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="incidents"):
        Settings(incidents="sometimes")  # type: ignore[arg-type]


def test_incidents_off_by_setting(make_settings: Callable[..., Settings], bundle_v1: Path) -> None:
    settings = make_settings(bundle_dir=bundle_v1, incidents=False)
    with TestClient(create_app(settings)) as client:
        r = client.get("/v1/incidents/emerging", headers=key_for(client, "admin"))
    assert r.json()["enabled"] is False


def test_insight_settings_fail_fast() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Settings(timezone="Nowhere/Atlantis")
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        Settings(webhook_url="http://127.0.0.1:9/hook")
    with pytest.raises(ValueError, match="unknown priorities"):
        Settings(sla_resolution_hours={"P7": 3})
