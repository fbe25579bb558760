"""Per target, what is served: the blend or the plain baseline, chosen on held-out rows only."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.blend import VoteBlend, choose_prior_shift, cross_fitted_logits
from triage.calibration import softmax
from triage.class_bias import accuracy_and_macro_f1, cross_fitted_biases, predicted_scores
from triage.classifiers import TargetClassifier
from triage.metrics import evaluate_target, paired_bootstrap
from triage.stats import z_one_sided

logger = logging.getLogger(__name__)

MIN_BLEND_ROWS = 20
"""Fewer labelled held-out rows than this and the classifier is served without a blend."""

MAX_ACCURACY_DROP = 0.0
"""Per-class biases (`triage.class_bias`) may cost at most this much validation accuracy where
they are fitted; they are kept only if their cross-fitted logits beat the unbiased ones."""

BASELINE = "text"
"""The plain text model alone (`triage.text_model.TextBaseline`): issue 9's baseline."""

EDGE_Z = z_one_sided(0.95)
"""A blend is served only if its edge over the baseline (the mean of accuracy and macro-F1 on the
held-out rows) is more than this many bootstrap standard errors of the paired difference: a
one-sided 95% test (1.645), the level of the promise's Wilson bound. Without it, on a few hundred
validation rows the best of four blends beat the baseline by noise and fell below it on test
(synthetic support tickets, BENCHMARKS.md "A blend must be clear of the baseline")."""

EDGE_DRAWS = 200
"""Bootstrap resamples of the held-out rows for the edge's standard error."""

BLENDS = (("scores", "votes"), ("scores", "votes", "text"), ("votes", "text"), ("scores", "text"))
"""Blends tried (`triage.blend.PARTS`); the ones whose parts are all available compete, and so
does the linear model alone (`scores`) when there are no votes."""


@dataclass
class HeldInputs:
    """One target's labelled held-out rows, as the served parts score them (n rows, k classes):
    linear scores, neighbour vote shares (None without neighbours), the train-only baseline's
    log-probabilities (None without a baseline), and the class indices y (-1: unknown)."""

    scores: NDArray[np.float64]
    votes: NDArray[np.float64] | None
    text: NDArray[np.float64] | None
    y: NDArray[np.int64]


def choose_served(
    clf: TargetClassifier,
    held: HeldInputs,
    seed: int,
    shifts: Sequence[float],
    class_biases: bool = False,
) -> tuple[NDArray[np.float64], dict[str, Any]]:
    """Set `clf`'s served form (blend, text alone or its own scores) and return the held-out
    logits (n, k) to calibrate and choose the policy on, with a report of the choice.

    Rule: a blend is served only if its cross-fitted held-out predictions beat the baseline's
    held-out predictions in both accuracy and macro-F1, and by more than the rows' noise (the
    mean of the two ahead by `EDGE_Z` standard errors, `edge_over`); among such blends the best
    mean of the two wins; otherwise the baseline alone. Without a baseline, the best blend (or
    the scores).
    """
    known = held.y >= 0
    if (held.votes is None and held.text is None) or known.sum() < MIN_BLEND_ROWS:
        clf.choice_ = "scores"
        return held.scores, {"served": "scores", "reason": "no blend inputs or too few rows"}
    tried: dict[str, tuple[NDArray[np.float64], VoteBlend | None]] = {}
    if held.votes is None:  # no neighbours: the linear model alone competes (as before 9c)
        tried["scores"] = (held.scores[known], None)
    for parts in (p for p in BLENDS if _available(p, held)):
        tried["+".join(parts)] = _blend_candidate(parts, held, known, seed, shifts, class_biases)
    y = held.y[known]
    scores = {name: _score(logits, y) for name, (logits, _) in tried.items()}
    report: dict[str, Any] = {"validation": scores}
    if held.text is None:
        choice = _pick(scores, None)
    else:
        baseline = _score(held.text[known], y)
        edges = {
            name: edge_over(logits, held.text[known], y, seed)
            for name, (logits, _) in tried.items()
        }
        clear = {name: scores[name] for name, (edge, se) in edges.items() if edge > EDGE_Z * se}
        choice = _pick(clear, baseline)
        report["validation"][BASELINE] = baseline
        report["edge_over_baseline"] = {
            name: {"points": round(100 * edge, 2), "se": round(100 * se, 2)}
            for name, (edge, se) in edges.items()
        }
        report["edge_z"] = EDGE_Z
    report = {"served": choice} | report
    clf.choice_ = choice
    if choice == BASELINE:
        clf.blend_, clf.text_only_ = None, True
        return np.asarray(held.text, dtype=np.float64), report
    logits_known, blend = tried[choice]
    clf.blend_ = blend
    if blend is not None and blend.class_bias_ is not None:
        report["class_bias"] = [round(float(b), 2) for b in blend.class_bias_]
    if blend is None:
        return held.scores, report
    logits = np.empty_like(held.scores)
    logits[known] = logits_known
    rest = ~known
    logits[rest] = blend.logits(held.scores[rest], _votes(held)[rest], _take(held.text, rest))
    return logits, report


def _available(parts: tuple[str, ...], held: HeldInputs) -> bool:
    return ("votes" not in parts or held.votes is not None) and (
        "text" not in parts or held.text is not None
    )


def _votes(held: HeldInputs) -> NDArray[np.float64]:
    """Vote shares, or zeros for a blend without votes (they weigh 0 there)."""
    return held.votes if held.votes is not None else np.zeros_like(held.scores)


def _take(
    values: NDArray[np.float64] | None, rows: NDArray[np.bool_]
) -> NDArray[np.float64] | None:
    return None if values is None else values[rows]


def _blend_candidate(
    parts: tuple[str, ...],
    held: HeldInputs,
    known: NDArray[np.bool_],
    seed: int,
    shifts: Sequence[float],
    class_biases: bool = False,
) -> tuple[NDArray[np.float64], VoteBlend]:
    """Cross-fitted logits of the known rows (each from a blend that did not see it) with the
    prior shift chosen on them (and, with `class_biases`, per-class biases where they help), and
    the blend fitted on all known rows."""
    blend = VoteBlend(parts=parts)
    logits = cross_fitted_logits(
        blend,
        held.scores[known],
        _votes(held)[known],
        held.y[known],
        seed=seed,
        text=_take(held.text, known),
    )
    strength, shift = choose_prior_shift(logits, held.y[known], tuple(shifts))
    blend.prior_strength_, blend.prior_shift_ = strength, shift
    if not class_biases:
        return logits + shift, blend
    shifted, bias = with_class_biases(logits + shift, held.y[known], seed)
    blend.prior_shift_, blend.class_bias_ = shift + bias, bias
    return shifted, blend


def with_class_biases(
    logits: NDArray[np.float64], y: NDArray[np.int64], seed: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Held-out `logits` (n, k) with per-class biases for macro-F1, cross-fitted (each half's
    rows biased by the other half's fit), and the biases (k,) fitted on all rows; zeros and the
    logits unchanged when the cross-fitted biases do not beat no biases in the mean of accuracy
    and macro-F1."""
    biased, bias = cross_fitted_biases(logits, y, MAX_ACCURACY_DROP, seed=seed)
    if sum(accuracy_and_macro_f1(biased, y)) > sum(accuracy_and_macro_f1(logits, y)):
        return biased, bias
    return logits, np.zeros(logits.shape[1])


def edge_over(
    logits: NDArray[np.float64],
    baseline: NDArray[np.float64],
    y: NDArray[np.int64],
    seed: int,
    draws: int = EDGE_DRAWS,
) -> tuple[float, float]:
    """How far the arg-max of `logits` (n, k) is ahead of the arg-max of `baseline` (n, k) on the
    class indices `y` (n,), in the mean of accuracy and macro-F1, and the standard error of that
    edge: the spread of the paired difference over `draws` bootstrap resamples of the rows."""
    ours, theirs = logits.argmax(axis=1), baseline.argmax(axis=1)
    k = logits.shape[1]
    edge = (sum(predicted_scores(ours, y, k)) - sum(predicted_scores(theirs, y, k))) / 2
    spread = paired_bootstrap(ours, theirs, y, k, seed, draws).mean(axis=1)
    return edge, float(np.std(spread))


def _score(logits: NDArray[np.float64], y: NDArray[np.int64]) -> dict[str, float]:
    """Accuracy and macro-F1 (over the classes present in y) of the arg-max of `logits`."""
    k = logits.shape[1]
    report = evaluate_target([str(v) for v in y], softmax(logits), [str(c) for c in range(k)])
    return {"accuracy": round(report["accuracy"], 4), "macro_f1": round(report["macro_f1"], 4)}


def _pick(scores: dict[str, dict[str, float]], baseline: dict[str, float] | None) -> str:
    """The best blend by mean of accuracy and macro-F1, if it beats `baseline` on both."""

    def mean(s: dict[str, float]) -> float:
        return (s["accuracy"] + s["macro_f1"]) / 2

    beating = {
        name: s
        for name, s in scores.items()
        if baseline is None
        or (s["accuracy"] > baseline["accuracy"] and s["macro_f1"] > baseline["macro_f1"])
    }
    if not beating:
        return BASELINE
    return max(sorted(beating), key=lambda name: mean(beating[name]))
