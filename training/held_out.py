"""Held-out rows as the served parts see them: honest neighbour votes, the train-only baseline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from training.datasets import Split
from triage.features import FeatureInput
from triage.neighbours import EmbeddingNeighbours
from triage.text_model import TextBaseline

logger = logging.getLogger(__name__)


class HeldOutVotes:
    """Neighbour votes for held-out rows, as a new ticket would get them from the final pool.

    The pool (`training.train._fit_neighbours`) is the final rows: train, then validation unless
    the model is the train-only one. A held-out row inside the pool is left out of its search.
    """

    def __init__(
        self,
        split: Split,
        inputs: dict[str, FeatureInput],
        neighbours: EmbeddingNeighbours | None,
        val_in_pool: bool,
        baseline: Callable[[], TextBaseline | None] | None = None,
    ) -> None:
        self.offsets = {"train": 0, "val": len(split.train) if val_in_pool else None}
        self.inputs = inputs
        self.neighbours = neighbours
        self._found: dict[str, tuple[NDArray[np.float32], NDArray[np.int64]]] = {}
        self._baseline = baseline
        self._resolved: TextBaseline | None = None
        self._tfidf: dict[str, Any] = {}

    @property
    def baseline(self) -> TextBaseline | None:
        """The text baseline fitted on the train part only (its held-out log-probabilities are
        honest), asked for on first use: the trainer fits and votes while its process works."""
        if self._baseline is not None:
            self._resolved, self._baseline = self._baseline(), None
        return self._resolved

    def votes(
        self, part: str, rows: NDArray[np.int64], target: str, classes: list[str]
    ) -> NDArray[np.float64] | None:
        """Vote shares (len(rows), len(classes)) of rows of `part`; None without neighbours."""
        if self.neighbours is None:
            return None
        if part not in self._found:  # one search per part, shared by the targets
            vectors = self.inputs[part].embeddings
            assert vectors is not None  # neighbours imply embeddings (`uses_embeddings`)
            offset = self.offsets[part]
            own = None if offset is None else offset + np.arange(len(vectors))
            self._found[part] = self.neighbours.search(vectors, self_rows=own)
        sims, found = self._found[part]
        return self.neighbours.vote_shares(target, sims[rows], found[rows], classes)

    def text(
        self, part: str, rows: NDArray[np.int64], target: str, classes: list[str]
    ) -> NDArray[np.float64] | None:
        """The train-only baseline's log-probabilities (len(rows), len(classes)) of rows of
        `part`; None without a baseline (or one that lacks the target)."""
        if self.baseline is None or target not in self.baseline.models_:
            return None
        if part not in self._tfidf:  # one transform per part, shared by the targets
            self._tfidf[part] = self.baseline.features(self.inputs[part].texts)
        X = self._tfidf[part][rows]
        return self.baseline.log_proba_of(X, {target: classes})[target]
