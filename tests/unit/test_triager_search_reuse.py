"""`triage.triager._search`: the familiarity guard's k=1 search reuses the votes' search."""

from __future__ import annotations

from typing import Any

import numpy as np

from triage.neighbours import EmbeddingNeighbours
from triage.triager import _search


class _Counting(EmbeddingNeighbours):
    def __init__(self, k: int) -> None:
        super().__init__(k)
        self.calls = 0

    def search(self, vectors: Any, k: int | None = None, self_rows: Any = None) -> Any:
        self.calls += 1
        return super().search(vectors, k=k, self_rows=self_rows)


def _fitted(seed: int = 0) -> _Counting:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(200, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return _Counting(k=10).fit(vectors, {"category": ["a", "b"] * 100})  # type: ignore[return-value]


def _queries(seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(8, 16)).astype(np.float32)


def test_search_k1_after_the_votes_search_reuses_it() -> None:
    neighbours, queries = _fitted(), _queries()
    sims, rows = _search(neighbours, queries)
    nearest, nearest_rows = _search(neighbours, queries, k=1)
    assert neighbours.calls == 1
    alone_sims, alone_rows = EmbeddingNeighbours.search(neighbours, queries, k=1)
    assert np.array_equal(nearest, alone_sims) and np.array_equal(nearest_rows, alone_rows)
    assert sims.shape == (8, 10) and np.array_equal(nearest, sims[:, :1])
    assert np.array_equal(nearest_rows, rows[:, :1])


def test_search_other_vectors_or_more_neighbours_search_again() -> None:
    neighbours, queries = _fitted(), _queries()
    _search(neighbours, queries, k=1)
    _search(neighbours, queries.copy(), k=1)  # equal values, another array: not assumed equal
    _search(neighbours, queries)  # k=10 is more than the remembered k=1
    _search(_fitted(), queries)  # another model
    assert neighbours.calls == 3
