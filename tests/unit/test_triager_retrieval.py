"""`Triager` retrieval: one dense search per collection for a batch, same answers as one by one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from triage.embeddings import HashingEmbedder
from triage.retrieval import Collection, RetrievalConfig, Retriever
from triage.retrieval.index import VectorIndex
from triage.schema import KBArticle, Status, SupportLine, Ticket
from triage.triager import Triager

TEXTS = [
    "printer jam on floor {n}, print queue stuck",
    "vpn gateway unreachable from hotel wifi {n}",
    "password expired, account locked {n}",
    "shared drive full, quota exceeded {n}",
]


class _Targets:
    """Just what `Triager._retrieve_many` reads from the model."""

    targets = ("category", "support_line")


def _tickets() -> list[Ticket]:
    return [
        Ticket(
            ticket_id=f"T{n}",
            subject=TEXTS[n % 4].format(n=n),
            body="",
            category=("Hardware", "Network", "Access", "Storage")[n % 4],
            support_line=(SupportLine.FIRST, SupportLine.SECOND)[n % 2],
            status=Status.RESOLVED,
            solution=f"fixed {n}",
            kb_article_id=f"KB{n % 4}",
        )
        for n in range(24)
    ]


def _one(triager: Triager, query: str, k_similar: int, k_kb: int) -> dict[str, Any]:
    vector = triager.embedder.encode([query])  # type: ignore[union-attr]
    return triager._retrieve_many([query], vector, k_similar, k_kb)[0]


@pytest.fixture(scope="module")
def triager() -> Triager:
    articles = [
        KBArticle(article_id=f"KB{i}", title=t.format(n=""), body=t.format(n="guide"))
        for i, t in enumerate(TEXTS)
    ]
    embedder = HashingEmbedder(256)
    config = RetrievalConfig(candidates=12, min_relevance=0.1)
    retriever = Retriever.build(_tickets(), articles, embedder, config)
    return Triager(_Targets(), {"version": "t"}, embedder, retriever)  # type: ignore[arg-type]


@pytest.mark.parametrize("query", ["printer queue stuck again", "vpn drops on wifi", "zebra"])
def test_triager_retrieve_equals_separate_calls(triager: Triager, query: str) -> None:
    retriever = triager.retriever
    vector = triager.embedder.encode([query])[0]  # type: ignore[union-attr]
    found = _one(triager, query, 5, 3)
    assert found["similar"] == tuple(retriever.similar(query, 5, vector=vector))
    assert found["kb"] == tuple(retriever.kb(query, 3, vector=vector))
    want = retriever.neighbour_votes(query, triager.targets, 10, vector=vector)
    assert found["evidence"] == tuple(want)


def test_triager_retrieve_searches_each_collection_once(
    triager: Triager, monkeypatch: pytest.MonkeyPatch
) -> None:
    searched: list[Collection] = []
    original = Collection.signals_many

    def counting(self: Collection, *args: Any, **kwargs: Any) -> Any:
        searched.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "signals_many", counting)
    query = "printer jam in the print queue"
    found = _one(triager, query, 5, 3)
    retriever = triager.retriever
    assert searched == [retriever.tickets, retriever.articles]
    assert found["similar"] and found["evidence"]


def test_triager_retrieve_returns_the_asked_numbers(triager: Triager) -> None:
    query = "printer jam on floor 3, print queue stuck"
    wide = _one(triager, query, 8, 3)
    narrow = _one(triager, query, 1, 0)
    assert len(wide["similar"]) > 5  # more than the old fixed five
    assert narrow["similar"] == wide["similar"][:1]
    assert narrow["kb"] == ()
    assert narrow["evidence"] == wide["evidence"]  # votes always use the 10 nearest


QUERIES = ["printer queue stuck again", "vpn drops on wifi", "zebra", "account locked 7"]


def test_triager_retrieve_many_equals_one_by_one(triager: Triager) -> None:
    batch = triager._retrieve_many(
        QUERIES,
        triager.embedder.encode(QUERIES),
        5,
        3,  # type: ignore[union-attr]
    )
    assert batch == [_one(triager, q, 5, 3) for q in QUERIES]


def test_triager_retrieve_many_runs_one_dense_search_per_collection(
    triager: Triager, monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes: list[tuple[int, ...]] = []
    original = VectorIndex.search

    def counting(self: VectorIndex, query_vectors: Any, *args: Any, **kwargs: Any) -> Any:
        shapes.append(np.asarray(query_vectors).shape)
        return original(self, query_vectors, *args, **kwargs)

    monkeypatch.setattr(VectorIndex, "search", counting)
    triager._retrieve_many(QUERIES, triager.embedder.encode(QUERIES), 5, 3)  # type: ignore[union-attr]
    assert shapes == [(len(QUERIES), triager.embedder.dim)] * 2  # type: ignore[union-attr]


def test_retriever_add_tickets_equals_adding_one_by_one() -> None:
    embedder = HashingEmbedder(256)
    config = RetrievalConfig(candidates=12, min_relevance=0.1)
    one, many = (Retriever.build(_tickets(), [], embedder, config) for _ in range(2))
    new = [
        Ticket(
            ticket_id=f"N{n}",
            subject=f"zebra printer offline {n}",
            body="",
            category="Hardware",
            status=Status.RESOLVED,
            solution=f"power cycled {n}",
        )
        for n in range(3)
    ]
    unsolved = Ticket(ticket_id="T1", subject="vpn gateway unreachable", body="")  # was solved
    updates = [*new, new[0], unsolved]  # a repeated id and a ticket that lost its solution
    for ticket in updates:
        one.add_ticket(ticket)
    assert many.add_tickets(updates) == 3
    for query in ("zebra printer offline", "vpn gateway unreachable from hotel wifi 1"):
        assert many.similar(query, 5) == one.similar(query, 5)
    assert len(many.tickets) == len(one.tickets) == 24 + 3 - 1
