"""Held-out rows for the neighbour-vote blend: their honest votes, and the blend fitted on them."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from training.datasets import Split
from triage.blend import VoteBlend, choose_prior_shift, cross_fitted_logits
from triage.classifiers import TargetClassifier
from triage.features import FeatureInput
from triage.neighbours import EmbeddingNeighbours

logger = logging.getLogger(__name__)

MIN_BLEND_ROWS = 20
"""Fewer labelled held-out rows than this and the classifier is served without the vote blend."""


def blend_held_out(
    clf: TargetClassifier,
    scores: NDArray[np.float64],
    votes: NDArray[np.float64] | None,
    y: Sequence[str],
    seed: int,
    shifts: Sequence[float] = (0.0,),
) -> NDArray[np.float64]:
    """Fit `clf.blend_` on held-out scores and votes; the held-out logits to calibrate on.

    Rows of known labels get cross-fitted logits (from blends that did not see the row), the
    others the full blend's, so the temperature and thresholds chosen on them stay honest. The
    blend's prior shift is the strength among `shifts` that does best on the cross-fitted logits.
    """
    index = clf.label_indices(y)
    known = index >= 0
    if votes is None or known.sum() < MIN_BLEND_ROWS:
        if votes is not None:
            logger.warning("%d held-out rows: too few to blend neighbour votes", known.sum())
        return scores
    blend = VoteBlend()
    logits = np.empty_like(scores)
    held = cross_fitted_logits(blend, scores[known], votes[known], index[known], seed=seed)
    strength, shift = choose_prior_shift(held, index[known], tuple(shifts))
    blend.prior_strength_, blend.prior_shift_ = strength, shift
    logger.info("vote blend: prior shift strength %.2f", blend.prior_strength_)
    logits[known] = held + blend.prior_shift_
    logits[~known] = blend.logits(scores[~known], votes[~known])
    clf.blend_ = blend
    return logits


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
    ) -> None:
        self.offsets = {"train": 0, "val": len(split.train) if val_in_pool else None}
        self.inputs = inputs
        self.neighbours = neighbours
        self._found: dict[str, tuple[NDArray[np.float32], NDArray[np.int64]]] = {}

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
