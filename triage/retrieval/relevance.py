"""Minimum-relevance threshold calibrated on held-out queries, so unrelated queries get nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from triage.errors import ConfigError


@dataclass(frozen=True, slots=True)
class ThresholdFit:
    """A calibrated threshold and what it does on the calibration queries."""

    threshold: float
    max_hit_rate: float
    queries: int
    correct: int
    rejected: int
    correct_rejected: int
    """Top hits that were right but fall below the threshold (the price of the threshold)."""

    def as_dict(self) -> dict[str, float | int]:
        """Plain dict for JSON."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


def calibrate_threshold(
    top_scores: Sequence[float], top_correct: Sequence[bool], max_hit_rate: float = 0.1
) -> ThresholdFit:
    """The cut-off that best separates right from wrong top hits, below which the top hit is right
    at most `max_hit_rate` of the time.

    `top_scores[i]` is the relevance of query i's top hit, `top_correct[i]` whether that hit is a
    true match. Include queries whose true matches were withheld from the index (their top hit is
    wrong by construction): they show what "nothing relevant" scores. Among cut-offs that keep the
    hit rate below them at most `max_hit_rate`, the one with the most right decisions (right top
    hits kept plus wrong ones dropped) wins; it sits half-way between two observed scores.
    Raises `ConfigError` with fewer than 10 queries or no correct top hit.
    """
    scores = np.asarray(top_scores, dtype=np.float64)
    correct = np.asarray(top_correct, dtype=bool)
    if scores.size < 10 or not correct.any():
        raise ConfigError(
            f"cannot calibrate a threshold on {scores.size} queries with {int(correct.sum())} "
            "correct top hits; supply at least 10 queries with known matches or set min_relevance"
        )
    order = np.argsort(scores, kind="stable")
    s, c = scores[order], correct[order]
    best = _best_cut(s, c, max_hit_rate)
    threshold = (
        float(s[0])
        if best == 0
        else float((s[best - 1] + s[best]) / 2)
        if best < s.size
        else float(s[-1]) + 1e-6
    )
    return ThresholdFit(
        threshold=threshold,
        max_hit_rate=max_hit_rate,
        queries=int(s.size),
        correct=int(c.sum()),
        rejected=int((scores < threshold).sum()),
        correct_rejected=int((correct & (scores < threshold)).sum()),
    )


def _best_cut(s: np.ndarray, c: np.ndarray, max_hit_rate: float) -> int:
    """How many of the lowest (sorted) scores to reject."""
    hits_below = np.concatenate([[0], np.cumsum(c)])
    misses_below = np.arange(s.size + 1) - hits_below
    right = misses_below + (c.sum() - hits_below)
    best, best_right = 0, right[0]
    for i in range(1, s.size + 1):
        tie = i < s.size and s[i] == s[i - 1]
        if not tie and hits_below[i] <= max_hit_rate * i and right[i] > best_right:
            best, best_right = i, right[i]
    return best
