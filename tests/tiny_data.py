"""Tiny hand-made tickets and a fast training config, shared by the training, API and e2e tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from training.config import TrainConfig, parse_config
from triage.schema import Channel, Priority, Status, SupportLine, Ticket

# category -> (keywords, support line it always goes to)
CATEGORIES: dict[str, tuple[list[str], SupportLine]] = {
    "Network": (["vpn", "wifi", "router", "network", "dns"], SupportLine.SECOND),
    "Hardware": (["laptop", "screen", "keyboard", "printer", "mouse"], SupportLine.FIRST),
    "Access": (["password", "account", "login", "locked", "permission"], SupportLine.FIRST),
    "Database": (["sql", "database", "query", "table", "replica"], SupportLine.THIRD),
}
URGENT = ["everyone", "outage", "production", "down", "urgent"]
CALM = ["when", "possible", "question", "minor", "sometime"]
FILLER = ["please", "help", "hello", "thanks", "issue", "since", "today", "my", "the", "with"]


def make_ticket(i: int, rng: random.Random, start: datetime) -> Ticket:
    """One ticket whose category, priority and line follow from its words (a separable task)."""
    category = rng.choice(sorted(CATEGORIES))
    words, line = CATEGORIES[category]
    urgent = rng.random() < 0.4
    priority = Priority.P1 if urgent else Priority.P4
    picked = (
        rng.sample(words, 3) + rng.sample(URGENT if urgent else CALM, 2) + rng.sample(FILLER, 4)
    )
    rng.shuffle(picked)
    return Ticket(
        ticket_id=f"T{i:05d}",
        subject=" ".join(picked[:3]),
        body=" ".join(picked[3:]),
        created_at=start + timedelta(hours=i),
        channel=rng.choice([Channel.EMAIL, Channel.PORTAL, Channel.PHONE]),
        language=rng.choice(["en", "nl"]),
        category=category,
        priority=priority,
        support_line=line,
        status=Status.RESOLVED,
        solution=f"fixed {category.lower()} {i}",
    )


def make_tickets(n: int = 240, seed: int = 0) -> list[Ticket]:
    """n separable tickets, one hour apart from 2025-01-01 UTC."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return [make_ticket(i, rng, start) for i in range(n)]


def tiny_config(**overrides: Any) -> TrainConfig:
    """A fast config: hashing embedder, no cache, small feature sets."""
    data: dict[str, Any] = {
        "embedder": "hashing-32",
        "embedding_cache": None,
        "min_examples_per_target": 20,
        "features": {"max_word_features": 5000, "max_char_features": 5000},
        "policy": {"min_support": 5},
    }
    data.update(overrides)
    return parse_config(data)


def tiny_scoring_bundle(out: Path, n: int, version: str) -> Path:
    """A tiny bundle (hashing embedder, no baselines) with a similar-ticket index over its `n`
    training tickets (`make_tickets(n, seed=0)`): what the scoring and output tests score with."""
    from training.train import build_bundle, train
    from triage.embeddings import HashingEmbedder
    from triage.retrieval.retriever import Retriever

    data = make_tickets(n, seed=0)
    result = train(tiny_config(baselines=False), data, embedder=HashingEmbedder(32))
    result.retriever = Retriever.build(data, [], HashingEmbedder(32))
    return build_bundle(result, out, version=version)
