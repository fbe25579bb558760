"""The batched search gives each text exactly the results it gets alone, in one ranking."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from triage.embeddings import HashingEmbedder
from triage.retrieval import BM25Index, RetrievalConfig, Retriever, VectorIndex, tokenize
from triage.retrieval import lexical as lexical_module
from triage.retrieval.collection import Collection, _best
from triage.schema import KBArticle, Status, SupportLine, Ticket

WORDS = [
    "printer",
    "vpn",
    "password",
    "disk",
    "share",
    "outlook",
    "mailbox",
    "laptop",
    "gateway",
    "queue",
    "jam",
    "toner",
    "quota",
    "backup",
    "srv-fin-07",
    "0x80070005",
    "login",
    "portal",
    "reset",
    "locked",
    "wifi",
    "hotel",
    "sync",
    "error",
    "slow",
]
QUERIES = [
    "printer jam on floor 3, queue stuck",
    "vpn gateway unreachable from hotel wifi",
    "password locked, reset portal fails",
    "backup on srv-fin-07 failed 0x80070005",
    "completely unrelated words zebra",
]


def _reference_best(
    ids: list[str], scores: np.ndarray, pool: int, allowed: Callable[[str], bool] | None
) -> dict[str, float]:
    """The former implementation: walk a full stable descending sort."""
    out: dict[str, float] = {}
    for row in np.argsort(-scores, kind="stable").tolist():
        if scores[row] <= 0 or len(out) >= pool:
            break
        if allowed is None or allowed(ids[row]):
            out[ids[row]] = float(scores[row])
    return out


def _tickets(n: int, seed: int = 0) -> list[Ticket]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        words = " ".join(rng.choice(WORDS, size=int(rng.integers(3, 9))).tolist())
        out.append(
            Ticket(
                ticket_id=f"T{i}",
                subject=f"{words} {i % 7}",
                body="",
                category=f"C{i % 4}",
                support_line=(SupportLine.FIRST, SupportLine.SECOND)[i % 2],
                language="de" if i % 3 else "en",
                status=Status.RESOLVED,
                solution=f"fix {i}",
                kb_article_id=f"KB{i % 5}",
            )
        )
    return out


def _articles() -> list[KBArticle]:
    return [
        KBArticle(article_id=f"KB{i}", title=w, body=f"{w} {WORDS[-i - 1]} how to", category="C")
        for i, w in enumerate(WORDS[:5])
    ]


@pytest.fixture(scope="module", params=["tfidf", "bm25"])
def retriever(request: pytest.FixtureRequest) -> Retriever:
    config = RetrievalConfig(lexical=request.param, candidates=12, min_relevance=0.2)
    return Retriever.build(_tickets(60), _articles(), HashingEmbedder(256), config)


@pytest.mark.parametrize("pool", [0, 1, 5, 17, 1000])
@pytest.mark.parametrize("filtered", [False, True])
def test_retrieval_best_equals_full_sort_with_ties_and_filter(pool: int, filtered: bool) -> None:
    rng = np.random.default_rng(pool)
    scores = rng.choice([0.0, 0.1, 0.25, 0.5, 0.9], size=300).astype(np.float32)
    ids = [f"d{i}" for i in range(scores.size)]
    allowed = (lambda i: int(i[1:]) % 3 == 0) if filtered else None
    got = _best(ids, scores, pool, allowed)
    want = _reference_best(ids, scores, pool, allowed)
    assert list(got.items()) == list(want.items())


def test_retrieval_best_keeps_only_positive_scores() -> None:
    scores = np.array([0.0, -0.5, 0.3, 0.0, 0.3], dtype=np.float32)
    assert list(_best(["a", "b", "c", "d", "e"], scores, 10, None)) == ["c", "e"]


def test_retrieval_relative_scores_tokenise_the_query_once(monkeypatch: pytest.MonkeyPatch) -> None:
    index = BM25Index()
    index.add(["a", "b"], ["printer jam queue", "vpn gateway wifi"])
    calls: list[str] = []

    def counting(text: str) -> list[str]:
        calls.append(text)
        return tokenize(text)

    index.relative_scores("warm up")
    monkeypatch.setattr(lexical_module, "tokenize", counting)
    ids, scores = index.relative_scores("printer jam")
    assert calls == ["printer jam"]
    assert ids == ["a", "b"] and scores[0] > 0 and scores[1] == 0


def test_retrieval_index_vectors_in_one_call_after_removal() -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(20, 8)).astype(np.float32)
    for kind in ("flat", "hnsw"):
        index = VectorIndex(8, kind=kind)
        index.add([f"v{i}" for i in range(20)], vectors)
        index.remove(["v3", "v11"])
        got = index.vectors(["v19", "v0", "v12"])
        assert got.dtype == np.float32 and got.shape == (3, 8)
        np.testing.assert_array_equal(got, vectors[[19, 0, 12]])
        assert index.vectors([]).shape == (0, 8)


def test_retrieval_search_of_a_batch_equals_each_text_alone(retriever: Retriever) -> None:
    targets = ("category", "support_line", "language")
    batch = retriever.search(QUERIES, targets=targets)
    alone = [retriever.search([q], targets=targets)[0] for q in QUERIES]
    assert batch == alone
    assert all(m.votes for m in batch), "the votes always see the 10 nearest tickets"


def test_retrieval_search_ranks_the_tickets_once(
    retriever: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    original = Collection.ranked_many

    def counting(self: Collection, *args: Any, **kwargs: Any) -> Any:
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "ranked_many", counting)
    found = retriever.search(QUERIES[:2], k_similar=5, k_votes=10, k_kb=3, targets=("category",))
    assert calls == [retriever.tickets]  # similar, votes and the KB's ticket votes share it
    assert all(m.similar and m.votes for m in found)


def test_retrieval_search_keeps_pools_apart_when_they_differ(retriever: Retriever) -> None:
    query, k_votes = QUERIES[1], retriever.config.candidates + 5
    found = retriever.search([query], k_similar=3, k_votes=k_votes, targets=("category",))[0]
    assert found.similar == retriever.search([query], k_similar=3, k_votes=0)[0].similar
    assert found.votes[0].of == k_votes


def test_retrieval_tfidf_cosine_is_bitwise_the_sparse_product() -> None:
    rng = np.random.default_rng(3)
    vocab = [f"w{i}" for i in range(120)]
    index = BM25Index()
    docs = [" ".join(rng.choice(vocab, size=int(rng.integers(1, 25)))) for _ in range(200)]
    index.add([f"d{i}" for i in range(200)], docs)
    index.cosine_scores("warm up")
    for _ in range(50):
        text = " ".join(rng.choice([*vocab, "unknown"], size=int(rng.integers(0, 30))))
        query = index._cosine._matrix([tokenize(text)])  # type: ignore[union-attr]
        want = (index._cosine.base.tocsr() @ query.T).toarray().reshape(-1).astype(np.float32)  # type: ignore[union-attr]
        np.testing.assert_array_equal(index.cosine_scores(text)[1], want)


def test_retrieval_search_of_a_large_batch_ranks_each_text_as_alone(retriever: Retriever) -> None:
    texts = [f"{q} {n}" for n in range(6) for q in QUERIES]  # 30 queries: the batched products
    batch = retriever.search(texts, targets=("category",))
    alone = [retriever.search([t], targets=("category",))[0] for t in texts]
    for got, want in zip(batch, alone, strict=True):
        assert [(s.ticket_id, s.relevance) for s in got.similar] == [
            (s.ticket_id, s.relevance) for s in want.similar
        ]
        assert [(a.article_id, a.relevance) for a in got.kb] == [
            (a.article_id, a.relevance) for a in want.kb
        ]
        assert got.votes == want.votes
        scores = [*(s.similarity for s in got.similar), *(a.score for a in got.kb)]
        expected = [*(s.similarity for s in want.similar), *(a.score for a in want.kb)]
        np.testing.assert_allclose(scores, expected, atol=1e-6)
