"""Typed dependencies: each part of the app state reaches a route through `api.deps`, so a test
replaces it with `app.dependency_overrides`; no router reads `request.app.state`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from service_helpers import VPN_TICKET, issue_keys

from api.app import create_app
from api.deps import ModelHolder, get_holder, get_settings
from api.settings import Settings

ROUTERS = Path(__file__).resolve().parents[2] / "api" / "routers"


def test_deps_settings_override_reaches_the_route(
    make_settings: Callable[..., Settings], bundle_v1: Path
) -> None:
    app = create_app(make_settings(bundle_dir=bundle_v1))
    app.dependency_overrides[get_settings] = lambda: make_settings(max_batch_tickets=1)
    body = {"tickets": [VPN_TICKET, VPN_TICKET]}
    with TestClient(app) as c:
        headers = issue_keys(c)["triage"]
        refused = c.post("/v1/triage/batch", json=body, headers=headers)
        assert refused.status_code == 422
        assert "2 tickets > 1" in refused.json()["detail"]
        app.dependency_overrides.clear()
        answered = c.post("/v1/triage/batch", json=body, headers=headers)
        assert answered.status_code == 200 and len(answered.json()["results"]) == 2


def test_deps_holder_override_replaces_the_served_model(
    make_settings: Callable[..., Settings], bundle_v1: Path
) -> None:
    app = create_app(make_settings(bundle_dir=bundle_v1))
    with TestClient(app) as c:
        assert c.get("/health/ready").json()["model_version"] == "v1"
        app.dependency_overrides[get_holder] = ModelHolder  # an empty holder: nothing loaded
        assert c.get("/health/ready").status_code == 503
        headers = issue_keys(c)["agent"]
        assert c.get("/v1/model", headers=headers).status_code == 503


def test_deps_routers_never_read_app_state() -> None:
    readers = [p.name for p in ROUTERS.glob("*.py") if "app.state" in p.read_text()]
    assert readers == [], f"{readers} read request.app.state; take a dependency from api.deps"
