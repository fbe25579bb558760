"""Shared test helpers for the service: hand-made separable tickets and tiny real bundles."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from triage.embeddings import Embedder

import pytest
from tiny_data import make_tickets, tiny_config

from api.state import state_of
from triage.schema import KBArticle, Ticket
from triage.store.keys import create_key

ARTICLES = [
    KBArticle(article_id=i, title=t, body=b)
    for i, t, b in (
        ("KB-1", "VPN troubleshooting", "vpn router dns network reconnect"),
        ("KB-2", "Printer and screen", "printer laptop screen keyboard mouse"),
    )
]


def build_tiny_bundle(
    out_dir: Path,
    version: str,
    seed: int = 0,
    tickets: Sequence[Ticket] | None = None,
    retrieval: bool = True,
    embedder: Embedder | None = None,
    spec: str = "hashing-32",
) -> Path:
    """Train on `tickets` (default 240 hand-made) with the hashing embedder; export a bundle."""
    from training.train import build_bundle, train
    from triage.embeddings import HashingEmbedder

    config = tiny_config(embedder=spec, baselines=False, seed=seed)
    data = list(tickets) if tickets is not None else make_tickets(240, seed=seed)
    embedder = embedder or HashingEmbedder(32)
    result = train(config, data, embedder=embedder)
    if retrieval:  # similar tickets + KB index over the same data, with the same embedder
        from triage.retrieval import Retriever

        result.retriever = Retriever.build(data, ARTICLES, embedder)
    return build_bundle(result, out_dir, version=version)


BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
"""Run a store-heavy service test on SQLite and on a real PostgreSQL (`database_url` fixture)."""

VPN_TICKET = {"subject": "vpn router down", "body": "outage for everyone, dns broken"}


def issue_keys(client: TestClient) -> dict[str, dict[str, str]]:
    """One key per scope, as request headers."""
    store = state_of(client.app).store
    return {s: {"X-API-Key": create_key(store, [s])[0]} for s in ("triage", "agent", "admin")}


def assert_problem(r: Any, status: int) -> dict[str, Any]:
    """The problem+json body of response `r`, checked: `status`, the media type, a detail and
    no traceback."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["detail"] and "Traceback" not in r.text
    return body
