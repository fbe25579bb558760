"""The action policy: per-class thresholds for a target precision, the action and its reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from triage.links import LinkTable
from triage.prediction import Action, LabelScore, Reason
from triage.stats import wilson_bounds, z_one_sided

__all__ = [
    "DEFAULT_COST_RATIO",
    "ActionPolicy",
    "ClassThreshold",
    "Decision",
    "LinkTable",  # re-exported: bundles pickled before the move name it here
    "auto_mask",
    "choose_thresholds",
    "class_thresholds",
    "net_worth",
    "precision_coverage_curve",
]


DEFAULT_COST_RATIO = 10.0
"""What one wrong auto costs in right ones (the issue's "one wrong auto-routing costs more than
ten correct ones save"): `policy.cost_ratio`'s default and the production report's."""


@overload
def net_worth(right: float, wrong: float, cost_ratio: float) -> float: ...
@overload
def net_worth(
    right: NDArray[Any], wrong: NDArray[Any], cost_ratio: float
) -> NDArray[np.float64]: ...
def net_worth(right: Any, wrong: Any, cost_ratio: float) -> Any:
    """What auto-applying saved, in right autos: right ones minus `cost_ratio` times wrong ones
    (the figure thresholds are chosen to maximise, and evaluation and production report)."""
    return right - cost_ratio * wrong


@dataclass(frozen=True, slots=True)
class ClassThreshold:
    """The threshold chosen for one class, or None with the reason it can never auto-apply."""

    threshold: float | None
    predictions: int
    """Validation predictions of the class (rows whose arg-max it is)."""
    never_reason: str | None = None


@dataclass(frozen=True, slots=True)
class _Rule:
    target: float
    min_support: int
    z: float | None
    floor: float
    cost: float | None = None


@dataclass(frozen=True, slots=True)
class _Cuts:
    """Per candidate threshold (each distinct confidence, descending): how many predictions are
    at or above it and how many of those are right."""

    threshold: NDArray[np.float64]
    count: NDArray[np.int64]
    hits: NDArray[np.int64]

    @classmethod
    def of(cls, confidence: NDArray[np.float64], correct: NDArray[np.bool_]) -> _Cuts:
        order = np.argsort(-confidence, kind="stable")
        conf, hits = confidence[order], np.cumsum(correct[order], dtype=np.int64)
        count = np.arange(1, len(order) + 1)
        last_of_tie = np.r_[conf[1:] < conf[:-1], True]  # ">= t" takes every tied row
        return cls(conf[last_of_tie], count[last_of_tie], hits[last_of_tie])

    def tail_ok(self, rule: _Rule) -> NDArray[np.bool_]:
        """Whether the predictions at or above each cut reach the rule: enough of them,
        precision (its lower bound) >= target, above the floor."""
        precision = self.hits / self.count
        if rule.z is not None:
            precision = wilson_bounds(self.hits, self.count, rule.z)[0]
        ok: NDArray[np.bool_] = (
            (precision >= rule.target)
            & (self.count >= rule.min_support)
            & (self.threshold >= rule.floor)
        )
        return ok

    def worth(self, cost: float) -> NDArray[np.float64]:
        """Right predictions minus `cost` times wrong ones, applying every one at or above."""
        return net_worth(self.hits, self.count - self.hits, cost)


def _one_class(
    confidence: NDArray[np.float64], correct: NDArray[np.bool_], rule: _Rule
) -> ClassThreshold:
    n = len(confidence)
    if n < rule.min_support:
        why = f"{n} validation predictions, fewer than min_support={rule.min_support}"
        return ClassThreshold(None, n, why)
    cuts = _Cuts.of(confidence, correct)
    ok = cuts.tail_ok(rule)
    if not ok.any():
        shown = "a lower 95% bound of" if rule.z is not None else "a precision of"
        why = (
            f"no confidence threshold gives {shown} {rule.target:.2f} on its {n} validation "
            f"predictions (precision {correct.mean():.3f} over all of them)"
        )
        return ClassThreshold(None, n, why)
    lowest = int(np.flatnonzero(ok)[-1])
    if rule.cost is None:
        return ClassThreshold(float(cuts.threshold[lowest]), n)
    # the tail's precision averages the predictions just above a threshold with surer ones:
    # of the thresholds that keep the promise, the one worth most by the stated cost (the
    # lowest of equals), where the band below it is right less often than cost / (cost + 1)
    worth = cuts.worth(rule.cost)[: lowest + 1]
    best = int(np.flatnonzero(worth == worth.max())[-1])
    if worth[best] <= 0:
        why = (
            f"at no confidence threshold do its right validation predictions outweigh "
            f"{rule.cost:g} times its wrong ones"
        )
        return ClassThreshold(None, n, why)
    return ClassThreshold(float(cuts.threshold[best]), n)


def class_thresholds(
    proba: NDArray[np.float64],
    y: NDArray[np.int64],
    classes: Sequence[str],
    target_precision: float = 0.9,
    min_support: int = 20,
    confidence_level: float | None = 0.95,
    min_confidence: float = 0.0,
    cost_ratio: float | None = None,
) -> dict[str, ClassThreshold]:
    """Per-class thresholds chosen on the probabilities served for validation rows.

    proba (n, k) as served, y (n,) class indices (-1 = a label the model does not know). A class
    gets the lowest confidence t >= `min_confidence` such that its `min_support` or more
    predictions with confidence >= t reach `target_precision`: as a one-sided Wilson lower bound
    at `confidence_level`, or as a point estimate when it is None. A class that cannot show this
    (too few predictions, precision never reached) gets None: it never auto-applies. There is no
    pooled fallback: a rare class does not borrow the precision of the frequent ones.

    With `cost_ratio` (a wrong auto costs that many right ones; None: off), of the thresholds
    that keep the promise the class gets the one at which its validation predictions are worth
    most (right ones minus `cost_ratio` times wrong ones): the promise bounds the precision of
    all predictions above a threshold together, so a band just above it could be right far less
    often than the cost allows (break-even: `cost_ratio / (cost_ratio + 1)`). A class worth
    nothing at any threshold never auto-applies.
    """
    rule = _Rule(
        target_precision,
        min_support,
        None if confidence_level is None else z_one_sided(confidence_level),
        min_confidence,
        cost_ratio,
    )
    predicted = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=np.int64)
    confidence = proba.max(axis=1) if len(proba) else np.zeros(0)
    correct = predicted == y
    return {
        label: _one_class(confidence[predicted == i], correct[predicted == i], rule)
        for i, label in enumerate(classes)
    }


def choose_thresholds(
    proba: NDArray[np.float64],
    y: NDArray[np.int64],
    classes: Sequence[str],
    target_precision: float = 0.9,
    min_support: int = 20,
    confidence_level: float | None = 0.95,
    min_confidence: float = 0.0,
    cost_ratio: float | None = None,
) -> dict[str, float | None]:
    """`class_thresholds` as plain numbers (None = never auto)."""
    chosen = class_thresholds(
        proba,
        y,
        classes,
        target_precision,
        min_support,
        confidence_level,
        min_confidence,
        cost_ratio,
    )
    return {label: c.threshold for label, c in chosen.items()}


def auto_mask(
    proba: NDArray[np.float64], classes: Sequence[str], thresholds: dict[str, float | None]
) -> NDArray[np.bool_]:
    """Which rows of proba (n, k) reach their class threshold (the other guards aside)."""
    limits = np.array([np.inf if thresholds.get(c) is None else thresholds[c] for c in classes])
    predicted = proba.argmax(axis=1)
    mask: NDArray[np.bool_] = proba.max(axis=1) >= limits[predicted]
    return mask


def precision_coverage_curve(
    proba: NDArray[np.float64], y: NDArray[np.int64], points: int = 21
) -> list[dict[str, float]]:
    """Coverage and precision when auto-applying every prediction above one global threshold."""
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y
    curve = []
    for threshold in np.linspace(0.0, 1.0, points):
        mask = confidence >= threshold
        covered = float(mask.mean()) if len(y) else 0.0
        precision = float(correct[mask].mean()) if mask.any() else 1.0
        curve.append({"threshold": float(threshold), "coverage": covered, "precision": precision})
    return curve


@dataclass(frozen=True, slots=True)
class Decision:
    """The action for one prediction and, when it is not `auto`, why."""

    action: Action
    reason_code: Reason | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ActionPolicy:
    """Decides `auto` / `suggest` / `review` for one target's prediction, with the reason.

    `auto` only when the ticket is familiar, the class can auto-apply at all, the confidence
    reaches the class threshold and the top label leads the runner-up by at least `margin`.
    Otherwise `suggest` when the top-3 labels hold at least `suggest_mass` of the probability,
    else `review`. `never_auto` holds (label, why) for the classes without a threshold;
    `cost_ratio` the cost of a wrong auto in right ones that the thresholds were chosen for
    (None: the promise alone, and bundles from before the cost ratio).
    """

    thresholds: dict[str, float | None]
    target_precision: float = 0.9
    suggest_mass: float = 0.5
    margin: float = 0.0
    never_auto: tuple[tuple[str, str], ...] = ()
    cost_ratio: float | None = None

    def action(self, label: str, confidence: float, top3_mass: float) -> Action:
        """The action on thresholds alone (no margin, no familiarity)."""
        return self.decide(label, confidence, top3_mass).action

    def decide(
        self,
        label: str,
        confidence: float,
        top3_mass: float,
        runner_up: LabelScore | None = None,
        unfamiliar: str | None = None,
    ) -> Decision:
        """`unfamiliar`: why the ticket is unlike the training tickets (None: it is not)."""
        code, why = self._why_not_auto(label, confidence, runner_up, unfamiliar)
        if code is None:
            return Decision(Action.AUTO)
        fallback = Action.SUGGEST if top3_mass >= self.suggest_mass else Action.REVIEW
        return Decision(fallback, code, why)

    def _why_not_auto(
        self, label: str, confidence: float, runner_up: LabelScore | None, unfamiliar: str | None
    ) -> tuple[Reason | None, str | None]:
        threshold = self.thresholds.get(label)
        if unfamiliar is not None:
            return Reason.UNFAMILIAR, unfamiliar
        if threshold is None:
            why = dict(self.never_auto).get(label, "no threshold was learned for it")
            return Reason.NEVER_AUTO, (
                f"class {label} never auto-applies at precision {self.target_precision:.2f}: {why}"
            )
        if confidence < threshold:
            return Reason.BELOW_THRESHOLD, (
                f"confidence {confidence:.3f} below the class threshold {threshold:.3f}"
            )
        gap = confidence - runner_up.confidence if runner_up is not None else 1.0
        if runner_up is not None and gap < self.margin:
            return Reason.NEAR_TIE, (
                f"near tie with {runner_up.label}: margin {gap:.3f} < {self.margin:.3f}"
            )
        return None, None
