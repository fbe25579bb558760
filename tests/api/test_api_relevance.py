"""Strong and weak similar tickets and KB articles over HTTP, and asking for strong ones only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

Keys = dict[str, dict[str, str]]
# On the tiny bundle these get strong and weak results: similar tickets for "dns", articles for
# "vpn printer" (checked below, so the strong-only assertions are not vacuous).
SIMILAR_Q, KB_Q = "dns", "vpn printer"


def _search(client: TestClient, keys: Keys, route: str, q: str, **extra: Any) -> list[dict]:
    r = client.get(route, params={"q": q, "k": 10, **extra}, headers=keys["agent"])
    assert r.status_code == 200, r.text
    return r.json()["similar" if route == "/v1/similar" else "kb"]


def test_relevance_search_marks_strong_results_first(client: TestClient, keys: Keys) -> None:
    for route, q in (("/v1/similar", SIMILAR_Q), ("/v1/kb/search", KB_Q)):
        labels = [h["relevance"] for h in _search(client, keys, route, q)]
        assert set(labels) == {"strong", "weak"}
        assert labels == sorted(labels, key=lambda x: x != "strong")  # strong lead, weak follow


def test_relevance_search_strong_only(client: TestClient, keys: Keys) -> None:
    for route, q in (("/v1/similar", SIMILAR_Q), ("/v1/kb/search", KB_Q)):
        shown = _search(client, keys, route, q)
        strong = _search(client, keys, route, q, min_relevance="strong")
        assert strong == [h for h in shown if h["relevance"] == "strong"] and strong != shown


def test_relevance_search_refuses_an_unknown_cut_off(client: TestClient, keys: Keys) -> None:
    params = {"q": SIMILAR_Q, "min_relevance": "some"}
    assert client.get("/v1/similar", params=params, headers=keys["agent"]).status_code == 422


@pytest.fixture()
def wide(make_settings: Callable[..., Settings], bundle_v1: Path) -> Iterator[TestClient]:
    """The `v1` bundle served with ten similar tickets per triage (enough to reach weak ones)."""
    with TestClient(create_app(make_settings(bundle_dir=bundle_v1, similar_k=10))) as c:
        yield c


def test_relevance_triage_strong_only(wide: TestClient, keys: Keys) -> None:
    client = wide

    def triage(subject: str, **extra: object) -> dict:
        body = {"ticket": {"subject": subject}, "k": 10, **extra}
        r = client.post("/v1/triage", json=body, headers=keys["triage"])
        assert r.status_code == 200, r.text
        return r.json()

    for subject, field in ((SIMILAR_Q, "similar"), (KB_Q, "kb")):
        shown, strong = triage(subject)[field], triage(subject, min_relevance="strong")[field]
        assert {h["relevance"] for h in shown} == {"strong", "weak"}
        assert strong == [h for h in shown if h["relevance"] == "strong"]
    batch = client.post(
        "/v1/triage/batch",
        json={"tickets": [{"subject": SIMILAR_Q}], "min_relevance": "strong"},
        headers=keys["triage"],
    )
    assert batch.status_code == 200
    similar = batch.json()["results"][0]["similar"]
    assert similar and all(s["relevance"] == "strong" for s in similar)
