"""Evaluation metrics on small cases whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from triage.calibration import expected_calibration_error
from triage.metrics import evaluate_target, majority_baseline, top_k_accuracy


def test_metrics_perfect_predictions() -> None:
    proba = np.eye(3)[[0, 1, 2, 0]]
    report = evaluate_target(
        ["a", "b", "c", "a"], proba, ["a", "b", "c"], {"a": 0.5, "b": 0.5, "c": None}
    )
    assert report["accuracy"] == 1.0
    assert report["macro_f1"] == 1.0
    assert report["confusion"]["matrix"] == [[2, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert report["coverage"] == 0.75  # class c never auto
    assert report["auto_precision"] == 1.0
    assert report["weak_classes"] == []


def test_metrics_per_class_and_weak_classes() -> None:
    # true a,a,b,b ; predicted a,a,a,a -> b has F1 0
    proba = np.array([[0.9, 0.1]] * 4)
    report = evaluate_target(["a", "a", "b", "b"], proba, ["a", "b"])
    assert report["accuracy"] == 0.5
    assert report["per_class"]["a"]["precision"] == 0.5
    assert report["per_class"]["a"]["recall"] == 1.0
    assert report["per_class"]["b"]["f1"] == 0.0
    assert report["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)
    assert report["weak_classes"] == ["b"]


def test_metrics_unknown_true_label_counts_as_miss() -> None:
    report = evaluate_target(["a", "zzz"], np.eye(2), ["a", "b"])
    assert report["accuracy"] == 0.5
    assert report["unknown_labels"] == ["zzz"] and "zzz" in report["weak_classes"]
    assert report["macro_f1"] == pytest.approx((1 + 0) / 2)  # a: F1 1; zzz: never predictable


def test_metrics_a_model_that_lost_a_class_does_not_score_higher() -> None:
    """A model without class c (dropped in training) against one that knows c and gets half of
    it right: macro-F1 averaged over the model's own classes said 1.0 for the first."""
    truth = ["a", "a", "b", "b", "c", "c"]
    lost = evaluate_target(truth, np.eye(2)[[0, 0, 1, 1, 0, 1]], ["a", "b"])
    knows = evaluate_target(truth, np.eye(3)[[0, 0, 1, 1, 2, 0]], ["a", "b", "c"])
    assert lost["unknown_labels"] == ["c"] and knows["unknown_labels"] == []
    assert lost["macro_f1"] == pytest.approx((0.8 + 0.8 + 0) / 3)
    assert knows["macro_f1"] == pytest.approx((0.8 + 1 + 2 / 3) / 3)
    assert lost["macro_f1"] < knows["macro_f1"]


def test_metrics_top_k() -> None:
    proba = np.array([[0.5, 0.3, 0.15, 0.05], [0.5, 0.3, 0.15, 0.05]])
    assert top_k_accuracy(proba, np.array([2, 3]), 3) == 0.5
    assert top_k_accuracy(proba, np.array([2, 3]), 1) == 0.0


def test_metrics_ece_zero_when_confidence_matches_accuracy() -> None:
    proba = np.array([[0.75, 0.25]] * 4)
    assert expected_calibration_error(proba, np.array([0, 0, 0, 1])) == pytest.approx(0.0)
    assert expected_calibration_error(proba, np.array([1, 1, 1, 1])) == pytest.approx(0.75)


def test_metrics_majority_baseline() -> None:
    base = majority_baseline(["a", "a", "b"], ["a", "b", "b", "a"])
    assert base["accuracy"] == 0.5
    assert base["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)
