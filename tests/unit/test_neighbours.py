"""EmbeddingNeighbours: exact search against brute force, leave-one-out, labels, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from triage.embeddings import l2_normalise
from triage.errors import ConfigError
from triage.neighbours import EmbeddingNeighbours


def _vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    return l2_normalise(np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32))


def test_neighbours_search_matches_brute_force() -> None:
    train, queries = _vectors(600), _vectors(300, seed=1)
    nn = EmbeddingNeighbours(k=7).fit(train, {"category": ["a"] * 600})
    sims, rows = nn.search(queries)
    brute = queries @ train.T
    expected = np.argsort(-brute, axis=1, kind="stable")[:, :7]
    np.testing.assert_array_equal(rows, expected)
    np.testing.assert_allclose(sims, np.take_along_axis(brute, expected, axis=1), rtol=1e-5)
    assert np.all(np.diff(sims, axis=1) <= 0)


def test_neighbours_leave_one_out_never_returns_the_query_row() -> None:
    train = _vectors(50)
    nn = EmbeddingNeighbours(k=5).fit(train, {"category": [str(i % 3) for i in range(50)]})
    sims, rows = nn.search(train, self_rows=np.arange(50))
    assert not np.any(rows == np.arange(50)[:, None])
    assert sims.max() < 0.999
    _plain_sims, plain_rows = nn.search(train)
    np.testing.assert_array_equal(plain_rows[:, 0], np.arange(50))
    assert nn.label_array("category", rows[:2]).shape == (2, 5)


def test_neighbours_k_larger_than_the_data_returns_every_row() -> None:
    nn = EmbeddingNeighbours(k=10).fit(_vectors(4), {"category": ["a", "b", None, "a"]})
    _sims, rows = nn.search(_vectors(2, seed=3))
    assert rows.shape == (2, 4) and sorted(rows[0].tolist()) == [0, 1, 2, 3]
    assert nn.label_array("category", rows[0]).tolist().count(None) == 1


def test_neighbours_refuse_wrong_shapes() -> None:
    nn = EmbeddingNeighbours().fit(_vectors(5), {"category": ["a"] * 5})
    with pytest.raises(ConfigError, match=r"expected \(m, 16\)"):
        nn.search(_vectors(2, dim=8))
    with pytest.raises(ConfigError, match="3 category labels for 5"):
        EmbeddingNeighbours().fit(_vectors(5), {"category": ["a"] * 3})


def test_neighbours_vote_shares_weigh_nearer_neighbours_more() -> None:
    nn = EmbeddingNeighbours(k=3).fit(_vectors(3), {"category": ["a", "b", None]})
    sims = np.array([[0.9, 0.8, 0.7], [0.5, 0.5, 0.1]], dtype=np.float32)
    rows = np.array([[0, 1, 2], [1, 2, 0]], dtype=np.int64)
    shares = nn.vote_shares("category", sims, rows, ["a", "b", "c"], tau=0.1)
    near, far = 1.0, float(np.exp(-1.0))  # 0.1 less similar counts 1/e as much
    expected = [near / (near + far), far / (near + far), 0.0]
    np.testing.assert_allclose(shares[0], expected, rtol=1e-5)  # float32 similarities
    a = float(np.exp(-4.0))  # "a" is 0.4 less similar; the unlabelled row does not vote
    np.testing.assert_allclose(shares[1], [a / (1 + a), 1 / (1 + a), 0.0], rtol=1e-5)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)


def test_neighbours_vote_shares_without_voters_are_zero() -> None:
    nn = EmbeddingNeighbours(k=2).fit(_vectors(2), {"category": ["x", None]})
    sims, rows = nn.search(_vectors(1, seed=4))
    shares = nn.vote_shares("category", sims, rows, ["a", "b"])  # "x" is not a class
    assert shares.shape == (1, 2) and not shares.any()
    empty = nn.vote_shares("category", sims[:0], rows[:0], ["a", "b"])
    assert empty.shape == (0, 2)
