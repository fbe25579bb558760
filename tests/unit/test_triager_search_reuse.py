"""`TriageModel.search`: one neighbour search serves the votes and the familiarity guard, with
the same answers as each searching on its own."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from triage.features import FeatureInput
from triage.guards import FamiliarityGuard
from triage.neighbours import EmbeddingNeighbours
from triage.triager import TriageModel


class _Counting(EmbeddingNeighbours):
    def __init__(self, k: int) -> None:
        super().__init__(k)
        self.calls: list[int | None] = []

    def search(self, vectors: Any, k: int | None = None, self_rows: Any = None) -> Any:
        self.calls.append(k)
        return super().search(vectors, k=k, self_rows=self_rows)


def _unit(rows: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, 16)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _model(voting: bool = True) -> tuple[TriageModel, _Counting]:
    """A model whose only parts are its neighbours, its guard and (`voting`) a classifier that
    blends the neighbours' votes (only its `blend_` is read here)."""
    neighbours = _Counting(k=10).fit(_unit(200, 0), {"category": ["a", "b"] * 100})
    guard = FamiliarityGuard(min_similarity=0.5, quantile=0.01)
    classifiers: Any = {"category": SimpleNamespace(blend_=object())} if voting else {}
    model = TriageModel(None, classifiers, {}, neighbours=neighbours, familiarity=guard)  # type: ignore[arg-type]
    return model, neighbours


def _data(rows: int = 8) -> FeatureInput:
    texts = [f"ticket {i}" for i in range(rows)]
    return FeatureInput(texts, ["email"] * rows, ["en"] * rows, embeddings=_unit(rows, 1))


def test_search_finds_the_model_k_and_its_first_column_is_the_nearest() -> None:
    model, neighbours = _model()
    data = _data()
    found = model.search(data)
    assert found is not None and neighbours.calls == [None]
    sims, rows = found
    assert sims.shape == (8, 10) and rows.shape == (8, 10)
    nearest = model.nearest_similarity(data, found)
    alone = model.nearest_similarity(data)  # its own k=1 search
    assert neighbours.calls == [None, 1]
    assert nearest is not None and alone is not None
    assert np.array_equal(nearest, alone) and np.array_equal(nearest, sims[:, 0])
    brute = (data.embeddings @ neighbours.vectors_.T).max(axis=1)  # type: ignore[operator]
    assert np.allclose(nearest, brute, atol=1e-6)


def test_the_guard_reads_the_given_search_and_flags_as_it_would_alone() -> None:
    model, neighbours = _model()
    data = _data(32)
    found = model.search(data)
    assert found is not None
    model.familiarity = FamiliarityGuard(float(np.median(found[0][:, 0])), 0.5)
    with_found = model.unfamiliar(data, found)
    assert neighbours.calls == [None]  # the guard did not search again
    assert with_found == model.unfamiliar(data)
    assert any(with_found) and not all(with_found)  # random vectors: half below the median


def test_no_neighbours_or_no_vectors_means_no_search() -> None:
    model, _ = _model()
    model.neighbours = None
    assert model.search(_data()) is None
    model2, neighbours = _model()
    empty = FeatureInput([], [], [], embeddings=np.zeros((0, 16), np.float32))
    assert model2.search(empty) is None and neighbours.calls == []


def test_without_votes_the_guard_alone_gets_the_nearest_row_and_without_a_guard_nothing() -> None:
    model, neighbours = _model(voting=False)
    data = _data()
    found = model.search(data)
    assert found is not None and found[0].shape == (8, 1) and neighbours.calls == [1]
    assert model.unfamiliar(data, found) == model.unfamiliar(data)
    model.familiarity = None
    assert model.search(data) is None  # nobody reads a search: none is made
