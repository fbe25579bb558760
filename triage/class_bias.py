"""Per-class additive logit biases chosen on held-out logits for macro-F1, accuracy held."""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import NDArray

logger = logging.getLogger(__name__)

STEPS = tuple(float(s) for s in np.round(np.arange(-2.0, 2.01, 0.1), 2))
"""Moves of one class's bias tried per coordinate step (logit units)."""

ROUNDS = 4
"""Passes over the classes; each pass moves every class's bias to its best step."""


def accuracy_and_macro_f1(logits: NDArray[np.float64], y: NDArray[np.int64]) -> tuple[float, float]:
    """Accuracy and macro-F1 (over the classes present in y) of the arg-max of `logits` (n, k)
    against class indices `y` (n,)."""
    return predicted_scores(logits.argmax(axis=1), y, logits.shape[1])


def predicted_scores(
    predicted: NDArray[np.int64], y: NDArray[np.int64], k: int
) -> tuple[float, float]:
    """Accuracy and macro-F1 (over the classes present in y) of class indices `predicted` (n,)
    against `y` (n,), k classes."""
    tp = np.bincount(y[predicted == y], minlength=k).astype(np.float64)
    denominator = np.bincount(predicted, minlength=k) + np.bincount(y, minlength=k)
    present = np.bincount(y, minlength=k) > 0
    f1 = 2 * tp[present] / denominator[present]
    return float(np.mean(predicted == y)), float(np.mean(f1)) if len(f1) else 0.0


def fit_class_biases(
    logits: NDArray[np.float64],
    y: NDArray[np.int64],
    max_accuracy_drop: float = 0.0,
    rounds: int = ROUNDS,
) -> NDArray[np.float64]:
    """Biases b (k,) for `logits` (n, k) that maximise macro-F1 of `logits + b` on the class
    indices `y` (n,) while accuracy stays >= the unbiased accuracy - `max_accuracy_drop`.

    Coordinate ascent over `STEPS`, one class at a time; a move is kept only if it strictly
    improves macro-F1 (ties: accuracy, then the smaller move). Fitted on held-out rows, so a
    rare class the log-loss fit under-predicts gets the push that rows like it need; check the
    biases on rows they were not fitted on (`cross_fitted_biases`) before trusting them.
    """
    k = logits.shape[1]
    bias = np.zeros(k)
    if len(y) == 0:
        return bias
    floor = accuracy_and_macro_f1(logits, y)[0] - max_accuracy_drop - 1e-12
    best = _objective(logits, y, bias, floor)
    for _ in range(rounds):
        moved = False
        for c in range(k):
            step, value = _best_step(logits, y, bias, c, floor)
            if value > best:
                bias[c] += step
                best, moved = value, True
        if not moved:
            break
    logger.debug("class biases %s (macro-F1, accuracy %s)", np.round(bias, 2), best)
    return bias


def _objective(
    logits: NDArray[np.float64], y: NDArray[np.int64], bias: NDArray[np.float64], floor: float
) -> tuple[float, float]:
    """(macro-F1, accuracy), or (-1, accuracy) when accuracy falls below `floor`."""
    accuracy, macro_f1 = accuracy_and_macro_f1(logits + bias, y)
    return (macro_f1 if accuracy >= floor else -1.0, accuracy)


def _best_step(
    logits: NDArray[np.float64],
    y: NDArray[np.int64],
    bias: NDArray[np.float64],
    c: int,
    floor: float,
) -> tuple[float, tuple[float, float]]:
    """The move of class c's bias with the best objective; ties go to the smaller move.

    Only class c's logit moves, so each row's best other class is found once and every step is
    a comparison against it (not an arg-max over all k classes per step)."""
    z = logits + bias
    others = z.copy()
    others[:, c] = -np.inf
    runner_up, margin = others.argmax(axis=1), z[:, c] - others.max(axis=1)
    results = []
    for step in sorted(STEPS, key=abs):
        predicted = np.where(margin + step > 0, c, runner_up)
        results.append((_score(predicted, y, floor, logits.shape[1]), -abs(step), step))
    value, _, step = max(results)
    return step, value


def _score(
    predicted: NDArray[np.int64], y: NDArray[np.int64], floor: float, k: int
) -> tuple[float, float]:
    """(macro-F1, accuracy) of predicted class indices, or (-1, accuracy) below `floor`."""
    accuracy, macro_f1 = predicted_scores(predicted, y, k)
    return (macro_f1 if accuracy >= floor else -1.0, accuracy)


def cross_fitted_biases(
    logits: NDArray[np.float64],
    y: NDArray[np.int64],
    max_accuracy_drop: float = 0.0,
    folds: int = 2,
    seed: int = 0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Honest biased logits (n, k): each fold's rows get the biases fitted on the other folds;
    and the biases (k,) fitted on all rows, to serve.

    Choosing between biased and unbiased logits on the first output is honest; on the biases'
    own rows it is not (they always look better there).
    """
    out = np.array(logits, dtype=np.float64, copy=True)
    n_splits = min(folds, len(y) // 2)
    if n_splits >= 2:
        order = np.random.default_rng(seed).permutation(len(y))
        for held in np.array_split(order, n_splits):
            fit = np.setdiff1d(order, held)
            out[held] += fit_class_biases(logits[fit], y[fit], max_accuracy_drop)
    return out, fit_class_biases(logits, y, max_accuracy_drop)
