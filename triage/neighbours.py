"""The nearest labelled training tickets by embedding: neighbour votes and familiarity signals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from triage.errors import ConfigError

SEARCH_BLOCK = 256
"""Queries per matrix product: bounds the (block, n) similarity matrix to about 50 MB at 48k."""

VOTE_TAU = 0.1
"""Softness of the neighbour vote: a neighbour 0.1 less similar than the nearest counts 1/e as much.
Chosen on the 48k IT tickets' training part (0.05 / 0.1 / 0.2 within noise; BENCHMARKS.md)."""


class EmbeddingNeighbours:
    """Exact cosine k-nearest neighbours over the training tickets' unit vectors (sklearn style).

    `fit(vectors (n, dim), labels)` keeps the vectors and, per target, each row's label (None when
    unlabelled). `search(vectors (m, dim), k)` -> similarities (m, k) float32, best first, and the
    training rows (m, k) int64. `self_rows` leaves each query's own training row out, so scores
    for training rows are honest (leave-one-out), as on unseen tickets.
    """

    def __init__(self, k: int = 20) -> None:
        self.k = k

    def fit(
        self, vectors: NDArray[np.float32], labels: Mapping[str, Sequence[str | None]]
    ) -> EmbeddingNeighbours:
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] == 0:
            raise ConfigError("neighbours need a non-empty (n, dim) matrix of training vectors")
        for target, values in labels.items():
            if len(values) != matrix.shape[0]:
                raise ConfigError(
                    f"{len(values)} {target} labels for {matrix.shape[0]} training vectors"
                )
        self.vectors_ = matrix
        self.labels_ = {t: [None if v is None else str(v) for v in vs] for t, vs in labels.items()}
        return self

    @property
    def dim(self) -> int:
        return int(self.vectors_.shape[1])

    def search(
        self,
        vectors: NDArray[np.float32],
        k: int | None = None,
        self_rows: NDArray[np.int64] | None = None,
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """The `k` (default `self.k`) most similar training rows per query, best first.

        `self_rows[i]` (optional) is query i's own training row, never returned for it.
        """
        queries = np.ascontiguousarray(vectors, dtype=np.float32)
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ConfigError(
                f"query vectors have shape {queries.shape}; expected (m, {self.dim}) "
                "from the model's own embedder"
            )
        k = min(self.k if k is None else k, len(self.vectors_) - (self_rows is not None))
        sims = np.empty((len(queries), max(k, 0)), dtype=np.float32)
        rows = np.empty((len(queries), max(k, 0)), dtype=np.int64)
        for start in range(0, len(queries), SEARCH_BLOCK):
            block = slice(start, start + SEARCH_BLOCK)
            scores = queries[block] @ self.vectors_.T
            if self_rows is not None:
                own = np.asarray(self_rows[block], dtype=np.int64)
                scores[np.arange(len(own)), own] = -np.inf
            sims[block], rows[block] = _top_k(scores, k)
        return sims, rows

    def label_array(self, target: str, rows: NDArray[np.int64]) -> NDArray[np.object_]:
        """The `target` labels of training `rows` (any shape), None where unlabelled."""
        values = np.asarray(self.labels_[target], dtype=object)
        labelled: NDArray[np.object_] = values[rows]
        return labelled

    def vote_shares(
        self,
        target: str,
        sims: NDArray[np.float32],
        rows: NDArray[np.int64],
        classes: Sequence[str],
        tau: float = VOTE_TAU,
    ) -> NDArray[np.float64]:
        """Similarity-weighted share of each class among the neighbours, (m, len(classes)).

        `sims`, `rows` (m, k) from `search`. Neighbour j of a query weighs
        exp((sim_j - sim_best) / tau); unlabelled neighbours and labels outside `classes` do not
        vote; a query without any voting neighbour gets a row of zeros.
        """
        shares = np.zeros((len(rows), len(classes)), dtype=np.float64)
        if rows.size == 0:
            return shares
        lookup = {c: i for i, c in enumerate(classes)}
        labels = self.label_array(target, rows).ravel()
        codes = np.fromiter((lookup.get(v, -1) for v in labels), np.int64, len(labels))
        codes = codes.reshape(rows.shape)
        voting = codes >= 0
        weights = np.exp((sims.astype(np.float64) - sims[:, :1]) / tau)
        np.add.at(shares, (np.nonzero(voting)[0], codes[voting]), weights[voting])
        total = shares.sum(axis=1, keepdims=True)
        out: NDArray[np.float64] = np.divide(
            shares, total, out=np.zeros_like(shares), where=total > 0
        )
        return out


def _top_k(scores: NDArray[np.float32], k: int) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Per row of scores (m, n): the k largest, best first."""
    if k <= 0:
        return np.zeros((len(scores), 0), np.float32), np.zeros((len(scores), 0), np.int64)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < scores.shape[1] else None
    cols = part if part is not None else np.tile(np.arange(scores.shape[1]), (len(scores), 1))
    picked = np.take_along_axis(scores, cols, axis=1)
    order = np.lexsort((cols, -picked), axis=1)
    cols = np.take_along_axis(cols, order, axis=1)
    return np.take_along_axis(scores, cols, axis=1).astype(np.float32), cols.astype(np.int64)
