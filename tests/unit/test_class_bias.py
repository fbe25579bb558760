"""Per-class biases: raise an under-predicted rare class on held-out rows, keep accuracy."""

from __future__ import annotations

import numpy as np

from triage.class_bias import accuracy_and_macro_f1, cross_fitted_biases, fit_class_biases


def under_predicted_rare_class(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """3 classes, class 2 rare (8%) and pushed down by 1.5 logits, as a log-loss fit does."""
    rng = np.random.default_rng(seed)
    y = rng.choice(3, n, p=[0.5, 0.42, 0.08])
    logits = rng.normal(0, 1, (n, 3))
    logits[np.arange(n), y] += 2.0
    logits[:, 2] -= 1.5
    return logits, y.astype(np.int64)


def recall(logits: np.ndarray, y: np.ndarray, c: int) -> float:
    return float(np.mean(logits[y == c].argmax(axis=1) == c))


def test_fit_class_biases_raises_a_rare_class_recall_on_held_out_rows() -> None:
    fit_logits, fit_y = under_predicted_rare_class(3000, seed=0)
    held_logits, held_y = under_predicted_rare_class(3000, seed=1)
    bias = fit_class_biases(fit_logits, fit_y, max_accuracy_drop=0.01)
    assert bias[2] - bias[:2].max() > 0.5
    before, after = held_logits, held_logits + bias
    assert recall(after, held_y, 2) > recall(before, held_y, 2) + 0.2
    assert accuracy_and_macro_f1(after, held_y)[1] > accuracy_and_macro_f1(before, held_y)[1]
    assert accuracy_and_macro_f1(after, held_y)[0] > accuracy_and_macro_f1(before, held_y)[0] - 0.02


def test_fit_class_biases_keeps_the_accuracy_floor_on_its_rows() -> None:
    logits, y = under_predicted_rare_class(2000, seed=2)
    unbiased = accuracy_and_macro_f1(logits, y)[0]
    for drop in (0.0, 0.01):
        biased = accuracy_and_macro_f1(logits + fit_class_biases(logits, y, drop), y)[0]
        assert biased >= unbiased - drop - 1e-9


def test_fit_class_biases_leaves_balanced_logits_alone() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 3000)
    logits = rng.normal(0, 1, (3000, 3))
    logits[np.arange(3000), y] += 2.0
    assert np.abs(fit_class_biases(logits, y.astype(np.int64))).max() <= 0.3


def test_cross_fitted_biases_never_apply_a_rows_own_biases() -> None:
    logits, y = under_predicted_rare_class(40, seed=4)
    honest, served = cross_fitted_biases(logits, y, folds=2, seed=0)
    order = np.random.default_rng(0).permutation(40)
    first, second = np.array_split(order, 2)
    expected = fit_class_biases(logits[second], y[second])
    np.testing.assert_allclose(honest[first], logits[first] + expected)
    np.testing.assert_allclose(served, fit_class_biases(logits, y))


def test_accuracy_and_macro_f1_counts_only_present_classes() -> None:
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [2.0, 0.0, 0.0]])
    y = np.array([0, 1, 1], dtype=np.int64)
    accuracy, macro_f1 = accuracy_and_macro_f1(logits, y)
    assert accuracy == 2 / 3
    assert abs(macro_f1 - (2 / 3 + 2 / 3) / 2) < 1e-12  # class 2 absent from y: not counted
