"""Action policy: thresholds reach the target precision, actions, cross-target links."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from triage.policy import (
    ActionPolicy,
    Decision,
    LinkTable,
    auto_mask,
    choose_thresholds,
    class_thresholds,
    precision_coverage_curve,
)
from triage.prediction import Action, LabelScore, Reason


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


def test_policy_rare_class_never_auto_instead_of_a_pooled_threshold() -> None:
    proba, y = noisy_predictions()
    rare = np.zeros((len(y), 1))
    rare[:5] = 5.0  # five validation rows predicted as "rare", all of them right
    proba = np.hstack([proba, rare])
    y = y.copy()
    y[:5] = 3
    chosen = class_thresholds(proba, y, ["a", "b", "c", "rare"], 0.9, min_support=20)
    assert chosen["rare"].threshold is None and chosen["rare"].predictions == 5
    assert "fewer than min_support=20" in (chosen["rare"].never_reason or "")
    assert chosen["a"].threshold is not None  # the frequent classes still get theirs


def test_policy_wilson_bound_needs_more_evidence_than_the_point_estimate() -> None:
    # 30 predictions at confidence 0.95, 28 right: point precision 0.933, Wilson lower 0.81.
    proba = np.array([[0.95, 0.05]] * 30)
    y = np.array([0] * 28 + [1] * 2)
    point = choose_thresholds(proba, y, ["x", "y"], 0.9, 20, confidence_level=None)
    wilson = class_thresholds(proba, y, ["x", "y"], 0.9, 20, confidence_level=0.95)
    assert point["x"] == pytest.approx(0.95)
    assert wilson["x"].threshold is None
    assert "lower 95% bound" in (wilson["x"].never_reason or "")
    many = np.array([[0.95, 0.05]] * 300)  # ten times the rows, same precision: now shown
    y_many = np.array(([0] * 28 + [1] * 2) * 10)
    assert choose_thresholds(many, y_many, ["x", "y"], 0.9, 20, 0.95)["x"] == pytest.approx(0.95)


def test_policy_threshold_never_below_the_confidence_floor() -> None:
    top = np.linspace(0.35, 1.0, 200)
    proba = np.column_stack([top, (1 - top) / 2, (1 - top) / 2])
    y = np.zeros(200, dtype=np.int64)  # always right: any threshold reaches the target
    classes = ["x", "y", "z"]
    assert choose_thresholds(proba, y, classes, 0.9, 20, None)["x"] == pytest.approx(0.35)
    floored = choose_thresholds(proba, y, classes, 0.9, 20, None, min_confidence=0.5)["x"]
    assert floored is not None and 0.5 <= floored < 0.51


def test_policy_tied_confidences_take_the_whole_tie() -> None:
    # 25 right at 0.9 then 25 at 0.8 of which 10 wrong: >= 0.8 has precision 0.8, below 0.9.
    proba = np.array([[0.9, 0.1]] * 25 + [[0.8, 0.2]] * 25)
    y = np.array([0] * 25 + [0] * 15 + [1] * 10)
    assert choose_thresholds(proba, y, ["x", "y"], 0.9, 20, None)["x"] == pytest.approx(0.9)


def test_policy_actions() -> None:
    policy = ActionPolicy({"a": 0.8, "b": None}, suggest_mass=0.5)
    assert policy.action("a", 0.85, 0.99) is Action.AUTO
    assert policy.action("a", 0.7, 0.9) is Action.SUGGEST
    assert policy.action("b", 0.99, 0.99) is Action.SUGGEST
    assert policy.action("a", 0.2, 0.4) is Action.REVIEW


def test_policy_decide_says_why_it_is_not_auto() -> None:
    policy = ActionPolicy(
        {"a": 0.5, "b": None}, margin=0.2, never_auto=(("b", "3 validation predictions"),)
    )
    assert policy.decide("a", 0.7, 1.0, LabelScore("c", 0.3)) == Decision(Action.AUTO)
    tie = policy.decide("a", 0.55, 1.0, LabelScore("c", 0.45))
    assert tie.action is Action.SUGGEST and tie.reason_code is Reason.NEAR_TIE
    assert tie.reason == "near tie with c: margin 0.100 < 0.200"
    low = policy.decide("a", 0.45, 0.4, LabelScore("c", 0.3))
    assert low.action is Action.REVIEW and low.reason_code is Reason.BELOW_THRESHOLD
    assert "0.450 below the class threshold 0.500" in (low.reason or "")
    never = policy.decide("b", 0.99, 1.0, LabelScore("a", 0.01))
    assert never.reason_code is Reason.NEVER_AUTO and "3 validation predictions" in (
        never.reason or ""
    )
    odd = policy.decide("a", 0.99, 1.0, LabelScore("c", 0.01), unfamiliar="unfamiliar ticket")
    assert odd.action is Action.SUGGEST and odd.reason_code is Reason.UNFAMILIAR


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


def _two_class(confidence: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predictions of class "a" with these confidences; y says which are right."""
    return np.c_[confidence, 1 - confidence], np.where(right, 0, 1)


def test_a_cost_ratio_stops_where_the_band_above_the_threshold_is_not_worth_applying() -> None:
    """100 sure, right predictions, then 60 less sure ones of which every fourth is wrong:
    together they reach 0.90 (145 of 160), so the promise alone applies all of them; at a cost
    of 10 right ones per wrong one every band of four below the sure ones loses 7, so the
    threshold stops after the first three unsure (right) ones."""
    unsure = np.linspace(0.89, 0.60, 60)
    proba, y = _two_class(
        np.r_[np.linspace(0.99, 0.90, 100), unsure],
        np.r_[np.ones(100, bool), np.arange(1, 61) % 4 != 0],
    )
    promise = choose_thresholds(proba, y, ["a", "b"], 0.9, 20, None)["a"]
    worth = class_thresholds(proba, y, ["a", "b"], 0.9, 20, None, cost_ratio=10)["a"]
    assert promise is not None and promise <= 0.61
    assert worth.threshold == unsure[2]
    applied = proba[:, 0] >= worth.threshold
    assert (y[applied] == 0).sum() - 10 * (y[applied] == 1).sum() == 103


def test_a_class_worth_nothing_at_any_threshold_never_auto_applies() -> None:
    """Every tenth prediction wrong, the surest first: 0.90 over all of them keeps a point
    -estimate promise of 0.90, but at every threshold the wrong ones outweigh ten times the
    right ones."""
    proba, y = _two_class(np.linspace(0.99, 0.60, 100), np.arange(100) % 10 != 0)
    assert choose_thresholds(proba, y, ["a", "b"], 0.9, 20, None)["a"] is not None
    chosen = class_thresholds(proba, y, ["a", "b"], 0.9, 20, None, cost_ratio=10)["a"]
    assert chosen.threshold is None
    assert chosen.never_reason is not None and "10 times its wrong ones" in chosen.never_reason


def test_without_a_cost_ratio_the_promise_alone_decides() -> None:
    proba, y = noisy_predictions()
    classes = ["a", "b", "c"]
    assert class_thresholds(proba, y, classes, 0.9, 20, cost_ratio=None) == class_thresholds(
        proba, y, classes, 0.9, 20
    )
