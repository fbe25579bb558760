"""Action policy: thresholds reach the target precision, actions, cross-target links."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from triage.policy import (
    ActionPolicy,
    LinkTable,
    auto_mask,
    choose_thresholds,
    precision_coverage_curve,
)
from triage.prediction import Action


def noisy_predictions(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated-ish probabilities: a row's confidence is its chance of being right."""
    rng = np.random.default_rng(seed)
    confidence = rng.uniform(0.34, 1.0, n)
    predicted = rng.integers(0, 3, n)
    right = rng.random(n) < confidence
    y = np.where(right, predicted, (predicted + 1) % 3)
    proba = np.zeros((n, 3))
    proba[np.arange(n), predicted] = confidence
    proba[np.arange(n), (predicted + 1) % 3] = (1 - confidence) / 2
    proba[np.arange(n), (predicted + 2) % 3] = (1 - confidence) / 2
    return proba, y


def test_policy_thresholds_reach_target_precision_on_their_data() -> None:
    proba, y = noisy_predictions()
    classes = ["a", "b", "c"]
    thresholds = choose_thresholds(proba, y, classes, target_precision=0.9, min_support=20)
    mask = auto_mask(proba, classes, thresholds)
    assert 0.05 < mask.mean() < 0.9
    for i, label in enumerate(classes):
        chosen = mask & (proba.argmax(axis=1) == i)
        assert (y[chosen] == i).mean() >= 0.9, label


def test_policy_stricter_target_costs_coverage() -> None:
    proba, y = noisy_predictions()
    classes = ["a", "b", "c"]
    loose = auto_mask(proba, classes, choose_thresholds(proba, y, classes, 0.8)).mean()
    strict = auto_mask(proba, classes, choose_thresholds(proba, y, classes, 0.95)).mean()
    assert strict < loose


def test_policy_unreachable_precision_means_never_auto() -> None:
    proba = np.array([[0.6, 0.4]] * 30)
    y = np.ones(30, dtype=np.int64)  # always wrong
    thresholds = choose_thresholds(proba, y, ["x", "y"], 0.9, min_support=5)
    assert thresholds["x"] is None
    assert not auto_mask(proba, ["x", "y"], thresholds).any()


def test_policy_rare_class_uses_pooled_threshold() -> None:
    proba, y = noisy_predictions()
    proba = np.hstack([proba, np.zeros((len(y), 1))])
    thresholds = choose_thresholds(proba, y, ["a", "b", "c", "rare"], 0.9, min_support=20)
    pooled = choose_thresholds(proba, y, ["a", "b", "c", "rare"], 0.9, min_support=10**9)["a"]
    assert thresholds["rare"] == pooled


def test_policy_actions() -> None:
    policy = ActionPolicy({"a": 0.8, "b": None}, suggest_mass=0.5)
    assert policy.action("a", 0.85, 0.99) is Action.AUTO
    assert policy.action("a", 0.7, 0.9) is Action.SUGGEST
    assert policy.action("b", 0.99, 0.99) is Action.SUGGEST
    assert policy.action("a", 0.2, 0.4) is Action.REVIEW


def test_policy_precision_coverage_curve_is_monotone_in_coverage() -> None:
    proba, y = noisy_predictions()
    curve = precision_coverage_curve(proba, y)
    coverages = [p["coverage"] for p in curve]
    assert coverages[0] == 1.0
    assert all(a >= b for a, b in pairwise(coverages))
    assert curve[-3]["precision"] > curve[0]["precision"]


def test_link_table_learns_allowed_pairs_and_restricts() -> None:
    parents = ["net"] * 50 + ["hw"] * 50
    children = ["2"] * 50 + ["1"] * 49 + ["3"]
    link = LinkTable("category", "support_line", min_share=0.05).fit(parents, children)
    assert link.active
    assert link.allowed == {"net": ["2"], "hw": ["1"]}
    assert link.inconsistency_rate(["net", "hw", "hw"], ["2", "1", "2"]) == 1 / 3
    restricted = link.restrict("net", np.array([0.5, 0.3, 0.2]), ["1", "2", "3"])
    np.testing.assert_allclose(restricted, [0.0, 1.0, 0.0])


def test_link_table_without_constraint_is_inactive() -> None:
    link = LinkTable("category", "priority").fit(["a", "a", "b", "b"], ["P1", "P2", "P1", "P2"])
    assert not link.active
