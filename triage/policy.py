"""The action policy: per-class thresholds for a target precision, and cross-target consistency."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from triage.prediction import Action


def _lowest_threshold(
    confidence: NDArray[np.float64], correct: NDArray[np.bool_], target: float
) -> float | None:
    """Lowest confidence t such that predictions with confidence >= t reach `target` precision."""
    order = np.argsort(-confidence, kind="stable")
    hits = np.cumsum(correct[order])
    precision = hits / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(precision >= target)
    return float(confidence[order][ok[-1]]) if len(ok) else None


def choose_thresholds(
    proba: NDArray[np.float64],
    y: NDArray[np.int64],
    classes: Sequence[str],
    target_precision: float = 0.9,
    min_support: int = 20,
) -> dict[str, float | None]:
    """Per-class confidence thresholds chosen on validation data.

    proba (n, k) calibrated, y (n,) class indices (-1 = unknown label). A class predicted fewer than
    `min_support` times uses the pooled threshold of all classes; None means "never auto".
    """
    predicted = proba.argmax(axis=1)
    confidence = proba.max(axis=1)
    correct = predicted == y
    pooled = _lowest_threshold(confidence, correct, target_precision) if len(y) else None
    thresholds: dict[str, float | None] = {}
    for index, label in enumerate(classes):
        mask = predicted == index
        if mask.sum() < min_support:
            thresholds[label] = pooled
        else:
            thresholds[label] = _lowest_threshold(confidence[mask], correct[mask], target_precision)
    return thresholds


def auto_mask(
    proba: NDArray[np.float64], classes: Sequence[str], thresholds: dict[str, float | None]
) -> NDArray[np.bool_]:
    """Which rows of proba (n, k) would be applied automatically under `thresholds`."""
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


@dataclass(frozen=True)
class ActionPolicy:
    """Decides `auto` / `suggest` / `review` for one target's prediction.

    `auto` when the confidence reaches the class threshold; `suggest` when the top-3 labels hold
    at least `suggest_mass` of the probability; otherwise `review`.
    """

    thresholds: dict[str, float | None]
    target_precision: float = 0.9
    suggest_mass: float = 0.5

    def action(self, label: str, confidence: float, top3_mass: float) -> Action:
        threshold = self.thresholds.get(label)
        if threshold is not None and confidence >= threshold:
            return Action.AUTO
        if top3_mass >= self.suggest_mass:
            return Action.SUGGEST
        return Action.REVIEW


@dataclass
class LinkTable:
    """Which child labels occur with each parent label in training data (e.g. category -> line).

    A pair seen in less than `min_share` of the parent's tickets is treated as impossible. The link
    is `active` only when it constrains something (some parent allows fewer than all child labels).
    """

    parent: str
    child: str
    min_share: float = 0.01
    allowed: dict[str, list[str]] = field(default_factory=dict)

    def fit(self, parents: Sequence[str], children: Sequence[str]) -> LinkTable:
        pairs = Counter(zip(parents, children, strict=True))
        totals = Counter(parents)
        self.allowed = {}
        for (p, c), n in pairs.items():
            if n >= self.min_share * totals[p]:
                self.allowed.setdefault(p, []).append(c)
        self.allowed = {p: sorted(cs) for p, cs in self.allowed.items()}
        self._children = sorted(set(children))
        return self

    @property
    def active(self) -> bool:
        every = set(getattr(self, "_children", []))
        return any(set(cs) != every for cs in self.allowed.values())

    def consistent(self, parent: str, child: str) -> bool:
        return parent not in self.allowed or child in self.allowed[parent]

    def inconsistency_rate(self, parents: Sequence[str], children: Sequence[str]) -> float:
        """Share of joint predictions that pair labels never (or almost never) seen together."""
        if not parents:
            return 0.0
        bad = sum(not self.consistent(p, c) for p, c in zip(parents, children, strict=True))
        return bad / len(parents)

    def restrict(
        self, parent: str, child_proba: NDArray[np.float64], child_classes: Sequence[str]
    ) -> NDArray[np.float64]:
        """Child probabilities (k,) with disallowed labels zeroed and the rest renormalised."""
        allowed = self.allowed.get(parent)
        if not allowed:
            return child_proba
        mask = np.isin(np.asarray(child_classes), allowed)
        kept = child_proba * mask
        total = kept.sum()
        return kept / total if total > 0 else child_proba
