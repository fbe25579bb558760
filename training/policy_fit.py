"""Choose the action policy on held-out rows, on exactly the probabilities that are served:
the familiarity guard, the near-tie margin per target and per-class thresholds."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from training.config import PolicyConfig
from training.datasets import labels
from triage.guards import FamiliarityGuard, choose_familiarity, known_word_counts, top_two_margin
from triage.policy import ActionPolicy, ClassThreshold, auto_mask, class_thresholds, net_worth
from triage.schema import Ticket
from triage.triager import TriageModel

logger = logging.getLogger(__name__)

HeldScores = tuple[NDArray[np.int64], NDArray[np.float64]]
"""Out-of-fold decision scores (rows of the train part, (n, k)) with cross-fitting."""


@dataclass
class HeldOut:
    """What the served path gives for rows the deciding models did not see.

    `proba`: per target (n, k), linked as served; `similarity` (n,): each row's nearest training
    ticket (None without vectors); `known_words` (n,): words in the model's vocabulary.
    """

    tickets: Sequence[Ticket]
    proba: dict[str, NDArray[np.float64]]
    similarity: NDArray[np.float32] | None
    known_words: NDArray[np.int64] | None


@dataclass
class _Target:
    """One target's held-out rows as the policy sees them."""

    rows: NDArray[np.int64]
    proba: NDArray[np.float64]
    y: NDArray[np.int64]
    classes: list[str]

    @property
    def correct(self) -> NDArray[np.bool_]:
        right: NDArray[np.bool_] = self.proba.argmax(axis=1) == self.y
        return right


MARGINS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3)
"""Near-tie margins tried per target (those >= `policy.min_margin`)."""


def fit_policies(
    policy: PolicyConfig, model: TriageModel, held: HeldOut
) -> tuple[dict[str, ActionPolicy], FamiliarityGuard | None, dict[str, Any]]:
    """Policies per target, the familiarity guard and a report of what was chosen and why.

    `model` is the one whose served probabilities `held` holds (classifiers fitted without the
    held-out rows). First the guard (a low quantile of the held-out tickets' similarity to
    their nearest training ticket); then per target the near-tie margin whose held-out autos
    are worth most at `policy.cost_ratio` (without one: that lets the most of them auto-apply),
    with the class thresholds chosen on the predictions the guard and the margin let through,
    as they will be served.
    """
    guard = _guard(policy, held)
    flagged = guard.flags(held.similarity, held.known_words, len(held.tickets)) if guard else None
    familiar = np.asarray([f is None for f in flagged or [None] * len(held.tickets)], dtype=bool)
    strange = _least_familiar(policy, held, familiar)
    policies: dict[str, ActionPolicy] = {}
    report: dict[str, Any] = {}
    for target in model.targets:
        part = _target(model, held, target)
        stress = strange[part.rows] if target in policy.stress_targets else None
        policies[target], report[target] = _target_policy(policy, part, familiar[part.rows], stress)
        logger.info(
            "%s: margin %.2f, %d of %d classes never auto-apply",
            target,
            policies[target].margin,
            len(policies[target].never_auto),
            len(part.classes),
        )
    report["familiarity"] = _guard_report(guard, familiar)
    report["stress"] = {
        "quantile": policy.stress_quantile,
        "targets": [t for t in model.targets if t in policy.stress_targets],
        "held_out_rows": int(strange.sum()),
    }
    return policies, guard, report


def _target(model: TriageModel, held: HeldOut, target: str) -> _Target:
    values = labels(held.tickets, target)
    rows = np.asarray([i for i, v in enumerate(values) if v is not None], dtype=np.int64)
    clf = model.classifiers[target]
    y = clf.label_indices([str(values[i]) for i in rows])
    return _Target(rows, held.proba[target][rows], y, clf.classes_.tolist())


def _least_familiar(
    policy: PolicyConfig, held: HeldOut, familiar: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """The familiar held-out rows in the lowest `stress_quantile` of nearest-training-ticket
    similarity (n,): the validation tickets most like a shifted, real-world ticket."""
    n = len(held.tickets)
    if policy.stress_quantile is None or held.similarity is None or not familiar.any():
        return np.zeros(n, dtype=bool)
    cut = float(np.quantile(held.similarity[familiar], policy.stress_quantile))
    strange: NDArray[np.bool_] = familiar & (held.similarity <= cut)
    return strange


def _target_policy(
    policy: PolicyConfig,
    part: _Target,
    familiar: NDArray[np.bool_],
    stress: NDArray[np.bool_] | None = None,
) -> tuple[ActionPolicy, dict[str, Any]]:
    """The margin and class thresholds of one target; with `stress` (rows (n,)), a class's
    threshold must also reach the target on those rows alone where they are enough to tell."""
    margins = top_two_margin(part.proba)
    tried = {}
    for margin in sorted({policy.min_margin, *(m for m in MARGINS if m >= policy.min_margin)}):
        keep = familiar & (margins >= margin)
        chosen = _thresholds(policy, part.proba[keep], part.y[keep], part.classes)
        if stress is not None:
            hard = keep & stress
            tight = _thresholds(policy, part.proba[hard], part.y[hard], part.classes)
            chosen = {c: _stricter(t, tight[c], policy) for c, t in chosen.items()}
        thresholds = {label: c.threshold for label, c in chosen.items()}
        applied = auto_mask(part.proba[keep], part.classes, thresholds)
        right = int((applied & part.correct[keep]).sum())
        covered = int(applied.sum())
        worth = (
            covered
            if policy.cost_ratio is None
            else net_worth(right, covered - right, policy.cost_ratio)
        )
        tried[margin] = (covered, worth, chosen)
    # most worth (without a cost ratio: most coverage), then the smallest margin
    margin = max(tried, key=lambda m: (tried[m][1], -m))
    chosen = tried[margin][2]
    action_policy = ActionPolicy(
        {label: c.threshold for label, c in chosen.items()},
        policy.target_precision,
        policy.suggest_mass,
        margin=margin,
        never_auto=_never(chosen),
        cost_ratio=policy.cost_ratio,
    )
    coverage = {m: c / max(len(part.y), 1) for m, (c, _, _) in tried.items()}
    return action_policy, _policy_report(action_policy, chosen, coverage, len(part.y))


def _thresholds(
    policy: PolicyConfig, proba: NDArray[np.float64], y: NDArray[np.int64], classes: list[str]
) -> dict[str, ClassThreshold]:
    return class_thresholds(
        proba,
        y,
        classes,
        policy.target_precision,
        policy.min_support,
        policy.confidence_level,
        policy.min_confidence,
        policy.cost_ratio,
    )


def _stricter(usual: ClassThreshold, hard: ClassThreshold, policy: PolicyConfig) -> ClassThreshold:
    """The higher of a class's two thresholds; the usual one where too few hard rows say."""
    if usual.threshold is None or hard.predictions < policy.min_support:
        return usual
    if hard.threshold is None:
        why = (
            f"on the least familiar {policy.stress_quantile:.0%} of validation tickets: "
            f"{hard.never_reason}"
        )
        return ClassThreshold(None, usual.predictions, why)
    return ClassThreshold(max(usual.threshold, hard.threshold), usual.predictions)


def _never(chosen: dict[str, ClassThreshold]) -> tuple[tuple[str, str], ...]:
    return tuple((c, t.never_reason or "") for c, t in chosen.items() if t.threshold is None)


def _policy_report(
    policy: ActionPolicy, chosen: dict[str, ClassThreshold], coverage: dict[float, float], n: int
) -> dict[str, Any]:
    never = dict(policy.never_auto)
    return {
        "held_out_rows": n,
        "margin": policy.margin,
        "held_out_coverage_by_margin": {str(m): round(c, 4) for m, c in coverage.items()},
        "never_auto_classes": never,
        "never_auto_target": bool(chosen) and len(never) == len(chosen),
        "held_out_predictions": {c: t.predictions for c, t in chosen.items()},
    }


def _guard(policy: PolicyConfig, held: HeldOut) -> FamiliarityGuard | None:
    if policy.familiarity_quantile is None or held.similarity is None:
        return None
    return choose_familiarity(held.similarity, policy.familiarity_quantile)


def _guard_report(guard: FamiliarityGuard | None, familiar: NDArray[np.bool_]) -> dict[str, Any]:
    if guard is None:
        return {"enabled": False}
    return {
        "enabled": True,
        "min_similarity": guard.min_similarity,
        "quantile": guard.quantile,
        "held_out_share_unfamiliar": float(1 - familiar.mean()) if len(familiar) else 0.0,
    }


def held_out_served(model: TriageModel, tickets: Sequence[Ticket], data: Any) -> HeldOut:
    """`HeldOut` for validation rows: the served path of `model` (fitted on the train part)."""
    found = model.search(data)
    return HeldOut(
        tickets,
        model.predict_proba(data, found=found),
        model.nearest_similarity(data, found),
        known_word_counts(model.featurizer, data.texts),
    )


def held_out_of_fold(
    model: TriageModel,
    tickets: Sequence[Ticket],
    data: Any,
    held_scores: dict[str, HeldScores | None],
) -> HeldOut:
    """`HeldOut` with cross-fitting: every training row with its out-of-fold scores (rows a
    target's classifier did not train on keep the model's own scores), linked as served; each
    row's nearest training ticket other than itself."""
    proba = model.predict_proba(data, consistent=False)
    for target, held in held_scores.items():
        if held is not None:
            rows, scores = held
            proba[target][rows] = model.classifiers[target].scaler_.transform(scores)
    similarity = None
    if model.neighbours is not None and data.embeddings is not None:
        own = np.arange(len(data), dtype=np.int64)  # leave-one-out: a row is not its neighbour
        similarity = model.neighbours.search(data.embeddings, k=1, self_rows=own)[0][:, 0]
    known = known_word_counts(model.featurizer, data.texts)
    return HeldOut(tickets, model.link(proba), similarity, known)


def policy_manifest(model: TriageModel) -> dict[str, Any]:
    """What the action policy promises, per target: margin, the classes that never auto-apply
    (with why) and whether the whole target never does; the familiarity guard."""
    targets = {}
    for target, policy in model.policies.items():
        never = dict(policy.never_auto)
        targets[target] = {
            "margin": policy.margin,
            "cost_ratio": policy.cost_ratio,
            "never_auto_classes": never,
            "never_auto": bool(policy.thresholds) and len(never) == len(policy.thresholds),
        }
    guard = model.familiarity
    familiarity = None
    if guard is not None:
        familiarity = {"min_similarity": guard.min_similarity, "quantile": guard.quantile}
    return {"targets": targets, "familiarity": familiarity}
