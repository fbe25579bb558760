"""Shared test helpers for the service: hand-made separable tickets and tiny real bundles."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from triage.embeddings import Embedder

from triage.feedback import create_key
from triage.schema import Channel, KBArticle, Priority, Status, SupportLine, Ticket

CATEGORIES: dict[str, tuple[list[str], SupportLine]] = {
    "Network": (["vpn", "wifi", "router", "network", "dns"], SupportLine.SECOND),
    "Hardware": (["laptop", "screen", "keyboard", "printer", "mouse"], SupportLine.FIRST),
    "Access": (["password", "account", "login", "locked", "permission"], SupportLine.FIRST),
    "Database": (["sql", "database", "query", "table", "replica"], SupportLine.THIRD),
}
URGENT = ["everyone", "outage", "production", "down", "urgent"]
CALM = ["when", "possible", "question", "minor", "sometime"]
FILLER = ["please", "help", "hello", "thanks", "issue", "since", "today", "my", "the", "with"]


def make_tickets(n: int = 240, seed: int = 0) -> list[Ticket]:
    """n tickets whose category, priority and support line follow from their words."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        category = rng.choice(sorted(CATEGORIES))
        words, line = CATEGORIES[category]
        urgent = rng.random() < 0.4
        picked = (
            rng.sample(words, 3) + rng.sample(URGENT if urgent else CALM, 2) + rng.sample(FILLER, 4)
        )
        rng.shuffle(picked)
        out.append(
            Ticket(
                ticket_id=f"T{i:05d}",
                subject=" ".join(picked[:3]),
                body=" ".join(picked[3:]),
                created_at=start + timedelta(hours=i),
                channel=rng.choice([Channel.EMAIL, Channel.PORTAL]),
                category=category,
                priority=Priority.P1 if urgent else Priority.P4,
                support_line=line,
                status=Status.RESOLVED,
                solution=f"fixed {category.lower()} {i}",
            )
        )
    return out


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
    from training.config import parse_config
    from training.train import build_bundle, train
    from triage.embeddings import HashingEmbedder

    config = parse_config(
        {
            "embedder": spec,
            "embedding_cache": None,
            "min_examples_per_target": 20,
            "features": {"max_word_features": 5000, "max_char_features": 5000},
            "policy": {"min_support": 5},
            "baselines": False,
            "seed": seed,
        }
    )
    data = list(tickets) if tickets is not None else make_tickets(240, seed=seed)
    embedder = embedder or HashingEmbedder(32)
    result = train(config, data, embedder=embedder)
    if retrieval:  # similar tickets + KB index over the same data, with the same embedder
        from triage.retrieval import Retriever

        result.retriever = Retriever.build(data, ARTICLES, embedder)
    return build_bundle(result, out_dir, version=version)


VPN_TICKET = {"subject": "vpn router down", "body": "outage for everyone, dns broken"}


def issue_keys(client: TestClient) -> dict[str, dict[str, str]]:
    """One key per scope, as request headers."""
    store = client.app.state.store  # type: ignore[attr-defined]
    return {s: {"X-API-Key": create_key(store, [s])[0]} for s in ("triage", "agent", "admin")}
