"""Evaluation metrics for one target: accuracy, macro-F1, per class, top-3, ECE, coverage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.calibration import expected_calibration_error
from triage.class_bias import predicted_scores
from triage.policy import auto_mask

WEAK_F1 = 0.3


def label_indices(labels: Sequence[str], classes: Sequence[str]) -> NDArray[np.int64]:
    """Index of each label in `classes`, -1 for labels outside them."""
    lookup = {c: i for i, c in enumerate(classes)}
    return np.asarray([lookup.get(str(v), -1) for v in labels], dtype=np.int64)


def paired_bootstrap(
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    y: NDArray[np.int64],
    k: int,
    seed: int = 0,
    draws: int = 1000,
) -> NDArray[np.float64]:
    """(draws, 2): accuracy and macro-F1 of the class indices `a` (n,) minus those of `b` (n,)
    against `y` (n,), k classes, on `draws` bootstrap resamples of the rows, the same rows for
    both (paired: what two models get right together does not count as noise)."""
    rng = np.random.default_rng(seed)
    out = np.empty((draws, 2))
    for i in range(draws):
        rows = rng.integers(0, len(y), len(y))
        ours, theirs = predicted_scores(a[rows], y[rows], k), predicted_scores(b[rows], y[rows], k)
        out[i] = (ours[0] - theirs[0], ours[1] - theirs[1])
    return out


def top_k_accuracy(proba: NDArray[np.float64], y: NDArray[np.int64], k: int = 3) -> float:
    """Share of rows whose true class is among the k most probable; proba (n, classes)."""
    if len(y) == 0:
        return 0.0
    top = np.argsort(-proba, axis=1)[:, :k]
    return float((top == y[:, None]).any(axis=1).mean())


def per_class(
    y: NDArray[np.int64], predicted: NDArray[np.int64], classes: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per class (labels outside `classes` count as misses)."""
    out = {}
    for i, label in enumerate(classes):
        tp = float(np.sum((predicted == i) & (y == i)))
        n_pred = float(np.sum(predicted == i))
        n_true = float(np.sum(y == i))
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": precision, "recall": recall, "f1": f1, "support": n_true}
    return out


def confusion(y: NDArray[np.int64], predicted: NDArray[np.int64], k: int) -> list[list[int]]:
    """k x k counts, rows = true class, columns = predicted (unknown true labels dropped)."""
    matrix = np.zeros((k, k), dtype=np.int64)
    keep = y >= 0
    np.add.at(matrix, (y[keep], predicted[keep]), 1)
    return matrix.tolist()


def evaluate_target(
    labels: Sequence[str],
    proba: NDArray[np.float64],
    classes: Sequence[str],
    thresholds: dict[str, float | None] | None = None,
) -> dict[str, Any]:
    """All metrics for one target; proba (n, k) calibrated, columns in `classes` order."""
    y = label_indices(labels, classes)
    predicted = proba.argmax(axis=1)
    classes_seen = [c for i, c in enumerate(classes) if (y == i).any()]
    # True labels the model has no class for (it never saw them, or dropped them as too rare)
    # count in macro-F1 with F1 0: averaged over its own classes only, a model that lost
    # classes would score higher than one that predicts them sometimes wrong.
    unknown = sorted({str(v) for v, i in zip(labels, y.tolist(), strict=True) if i < 0})
    table = per_class(y, predicted, classes)
    f1s = [table[c]["f1"] for c in classes_seen] + [0.0] * len(unknown)
    result: dict[str, Any] = {
        "n": len(y),
        "accuracy": float((predicted == y).mean()) if len(y) else 0.0,
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "top3_accuracy": top_k_accuracy(proba, y, 3),
        "ece": expected_calibration_error(proba, y),
        "per_class": table,
        "confusion": {"labels": list(classes), "matrix": confusion(y, predicted, len(classes))},
        "weak_classes": [c for c in classes_seen if table[c]["f1"] < WEAK_F1] + unknown,
        "unknown_labels": unknown,
    }
    if thresholds is not None:
        result.update(coverage_report(proba, y, classes, thresholds))
    return result


def coverage_report(
    proba: NDArray[np.float64],
    y: NDArray[np.int64],
    classes: Sequence[str],
    thresholds: dict[str, float | None],
) -> dict[str, float]:
    """Coverage (share auto-applied) and the precision those auto decisions reach."""
    mask = auto_mask(proba, classes, thresholds)
    correct = proba.argmax(axis=1) == y
    return {
        "coverage": float(mask.mean()) if len(y) else 0.0,
        "auto_precision": float(correct[mask].mean()) if mask.any() else 1.0,
    }


def majority_baseline(train_labels: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Accuracy and macro-F1 of always predicting the most frequent training label."""
    values, counts = np.unique(np.asarray(train_labels), return_counts=True)
    majority = values[counts.argmax()]
    classes = sorted(set(map(str, labels)) | {str(majority)})
    y = label_indices(labels, classes)
    predicted = np.full(len(y), classes.index(str(majority)))
    table = per_class(y, predicted, classes)
    seen = [c for i, c in enumerate(classes) if (y == i).any()]
    return {
        "accuracy": float((predicted == y).mean()) if len(y) else 0.0,
        "macro_f1": float(np.mean([table[c]["f1"] for c in seen])) if seen else 0.0,
    }
