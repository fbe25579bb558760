"""The stress rule of the policy fit: thresholds must also hold on the least familiar rows."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from training.config import PolicyConfig
from training.policy_fit import HeldOut, _least_familiar, _Target, _target_policy
from triage.schema import Ticket


def _part(n: int, seed: int = 0) -> tuple[_Target, NDArray[np.bool_]]:
    """Two classes; class 0 is 99% right on the familiar 90% of rows, 50% on the strange 10%."""
    rng = np.random.default_rng(seed)
    confidence = rng.uniform(0.6, 0.99, n)
    strange = np.arange(n) >= 9 * n // 10
    right = rng.random(n) < np.where(strange, 0.5, 0.99)
    y = np.where(right, 0, 1).astype(np.int64)
    proba = np.column_stack([confidence, 1 - confidence])
    return _Target(np.arange(n, dtype=np.int64), proba, y, ["a", "b"]), strange


def test_target_policy_stress_rows_stop_a_class_they_cannot_support() -> None:
    part, strange = _part(2000)
    familiar = np.ones(len(part.y), dtype=bool)
    policy = PolicyConfig(stress_quantile=0.1)
    usual, _ = _target_policy(policy, part, familiar)
    stressed, report = _target_policy(policy, part, familiar, strange)
    assert usual.thresholds["a"] is not None
    assert stressed.thresholds["a"] is None
    assert "least familiar 10%" in report["never_auto_classes"]["a"]


def test_target_policy_stress_ignores_too_few_rows() -> None:
    part, _ = _part(2000)
    familiar = np.ones(len(part.y), dtype=bool)
    few = np.zeros(len(part.y), dtype=bool)
    few[-5:] = True  # fewer than min_support predictions: they cannot tell, the usual rule holds
    policy = PolicyConfig(stress_quantile=0.1)
    usual, _ = _target_policy(policy, part, familiar)
    stressed, _ = _target_policy(policy, part, familiar, few)
    assert stressed.thresholds == usual.thresholds


def test_least_familiar_takes_the_lowest_share_of_familiar_rows() -> None:
    similarity = np.linspace(0.1, 1.0, 100).astype(np.float32)
    familiar = similarity > 0.15
    held = HeldOut([Ticket(ticket_id=f"t{i}", body="b") for i in range(100)], {}, similarity, None)
    strange = _least_familiar(PolicyConfig(stress_quantile=0.25), held, familiar)
    assert not (strange & ~familiar).any()
    assert (
        20 <= strange.sum() <= 26
        and similarity[strange].max() < similarity[~strange & familiar].min()
    )
    off = _least_familiar(PolicyConfig(), held, familiar)
    assert not off.any()
