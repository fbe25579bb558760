"""A per-class logit blend of a linear model's scores with its nearest neighbours' votes."""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from triage.errors import ConfigError

logger = logging.getLogger(__name__)

PRIOR_SHIFTS = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Strengths g tried for the prior shift `-g * log(class share)` (`choose_prior_shift`)."""

VOTE_FLOOR = 1e-3
"""Added to a vote share before the log, so a class no neighbour voted for is unlikely, not
impossible (log 0.001 = -6.9; the blend learns how much that counts)."""


PARTS = ("scores", "votes", "text")
"""What a blend can weigh: the linear model's scores, the log vote shares, and the plain text
model's log-probabilities (`triage.text_model.TextBaseline`)."""

START_WEIGHT = {"scores": 1.0, "votes": 0.5, "text": 0.5}
"""Per part, the weight the fit is pulled towards (text alone starts at 1, see `_start`)."""


class VoteBlend:
    """Blended logits `z_c = a_c * s_c + b_c * log(v_c + VOTE_FLOOR) + d_c * t_c + beta_c`.

    `s` (n, k) are a linear model's decision scores, `v` (n, k) its neighbours' vote shares (rows
    sum to 1 or 0), `t` (n, k) the plain text model's log-probabilities; `parts` says which of
    them the blend uses (the others weigh 0). The parameters (k per part + k biases) are fitted
    by log-loss on held-out rows (rows the models and the neighbour pool did not learn from), so
    the blend learns per class how far to trust each part. An L2 pull towards the start (1, 0.5,
    0.5, 0) worth `prior_rows` rows keeps small validation sets from overfitting. Measured on the
    48k IT tickets (training part, BENCHMARKS.md): a full logistic-regression stacker over the
    same inputs was level within noise. Weighing the classes equally in the fit ("balanced")
    was measured worse on both the 48k categories (macro-F1 0.859 vs 0.879) and hadoop priority
    (0.260 vs 0.283), as the linear model is already fitted with balanced class weights.
    """

    prior_shift_: NDArray[np.float64] | None = None  # class default: blends fitted before it
    prior_strength_: float = 0.0
    parts: tuple[str, ...] = ("scores", "votes")  # class default: blends from before parts
    text_weight_: NDArray[np.float64] | None = None
    class_bias_: NDArray[np.float64] | None = None  # the part of prior_shift_ fitted per class

    def __init__(self, prior_rows: float = 10.0, parts: tuple[str, ...] = ("scores", "votes")):
        unknown = set(parts) - set(PARTS)
        if unknown or not parts:
            raise ConfigError(f"blend parts {parts!r}: use a non-empty subset of {PARTS}")
        self.prior_rows = prior_rows
        self.parts = tuple(p for p in PARTS if p in parts)

    @property
    def uses_text(self) -> bool:
        return "text" in self.parts

    def fit(
        self,
        scores: NDArray[np.float64],
        votes: NDArray[np.float64],
        y: NDArray[np.int64],
        text: NDArray[np.float64] | None = None,
    ) -> VoteBlend:
        """Fit on held-out scores, votes and text log-probabilities (each (n, k); text only
        when used) and class indices y (n,) in 0..k-1."""
        parts = self._components(scores, votes, text)
        start = _start(self.parts, scores.shape[1])
        penalty = self.prior_rows / max(len(y), 1)
        weights = np.full(len(y), 1.0 / max(len(y), 1))
        result = minimize(
            _loss_and_grad,
            start,
            args=(parts, y, weights, start, penalty),
            jac=True,
            method="L-BFGS-B",
        )
        fitted = dict(
            zip(self.parts, np.split(result.x[: -scores.shape[1]], len(self.parts)), strict=True)
        )
        zero = np.zeros(scores.shape[1])
        self.score_weight_ = fitted.get("scores", zero)
        self.vote_weight_ = fitted.get("votes", zero)
        self.text_weight_ = fitted.get("text")
        self.bias_ = result.x[-scores.shape[1] :]
        logger.info(
            "blend %s: mean weights %s on %d rows",
            "+".join(self.parts),
            ", ".join(f"{w.mean():.2f}" for w in fitted.values()),
            len(y),
        )
        return self

    def logits(
        self,
        scores: NDArray[np.float64],
        votes: NDArray[np.float64],
        text: NDArray[np.float64] | None = None,
    ) -> NDArray[np.float64]:
        """Blended logits (n, k) for scores, vote shares and text log-probabilities (n, k)."""
        _check(scores, votes)
        if scores.shape[1] != len(self.bias_):
            raise ConfigError(
                f"{scores.shape[1]} classes but the blend was fitted on {len(self.bias_)}"
            )
        z: NDArray[np.float64] = (
            self.score_weight_ * scores
            + self.vote_weight_ * np.log(votes + VOTE_FLOOR)
            + self.bias_
        )
        if self.text_weight_ is not None:
            if text is None:
                raise ConfigError("this blend weighs the text model: pass its log-probabilities")
            z = z + self.text_weight_ * text
        return z if self.prior_shift_ is None else z + self.prior_shift_

    def _components(
        self,
        scores: NDArray[np.float64],
        votes: NDArray[np.float64],
        text: NDArray[np.float64] | None,
    ) -> list[NDArray[np.float64]]:
        _check(scores, votes)
        if self.uses_text and (text is None or text.shape != scores.shape):
            raise ConfigError(
                f"this blend weighs the text model: pass its log-probabilities {scores.shape}"
            )
        given = {"scores": scores, "votes": np.log(votes + VOTE_FLOOR), "text": text}
        return [np.asarray(given[p], dtype=np.float64) for p in self.parts]


def choose_prior_shift(
    logits: NDArray[np.float64], y: NDArray[np.int64], shifts: tuple[float, ...] = PRIOR_SHIFTS
) -> tuple[float, NDArray[np.float64]]:
    """The strength g and the logit shift (k,) `-g * log(share_c)` that maximise the mean of
    accuracy and macro-F1 of held-out `logits` (n, k) against class indices `y` (n,).

    The log-loss fit learns the classes' shares into its biases, which favours frequent classes:
    right for accuracy, costly for rare classes' F1. g = 1 undoes the shares (as a class-balanced
    fit would), g = 0 keeps them; ties go to the smaller g. Choose on held-out (cross-fitted)
    logits only.
    """
    k = logits.shape[1]
    share = np.bincount(y, minlength=k) / max(len(y), 1)
    log_share = np.log(np.maximum(share, 1.0 / max(len(y), 1)))
    scored = [(_accuracy_and_macro_f1(logits - g * log_share, y, k), -g) for g in shifts]
    best = -max(scored)[1]
    return best, -best * log_share


def _accuracy_and_macro_f1(logits: NDArray[np.float64], y: NDArray[np.int64], k: int) -> float:
    """(accuracy + macro-F1) / 2 of the arg-max of `logits`; macro over classes present in y."""
    predicted = logits.argmax(axis=1)
    f1 = []
    for c in np.unique(y):
        tp = float(np.sum((predicted == c) & (y == c)))
        denominator = float(np.sum(predicted == c) + np.sum(y == c))
        f1.append(2 * tp / denominator if denominator else 0.0)
    return (float(np.mean(predicted == y)) + float(np.mean(f1))) / 2


def cross_fitted_logits(
    blend: VoteBlend,
    scores: NDArray[np.float64],
    votes: NDArray[np.float64],
    y: NDArray[np.int64],
    folds: int = 5,
    seed: int = 0,
    text: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Blend logits (n, k) of every row from a blend fitted on the other folds; `blend` itself is
    then fitted on all rows. A temperature and thresholds chosen on these logits are honest.

    With fewer than 2 rows per fold the in-sample logits of the full fit are returned.
    """
    out = np.empty_like(scores, dtype=np.float64)
    n_splits = min(folds, len(y) // 2)
    if n_splits >= 2:
        order = np.random.default_rng(seed).permutation(len(y))
        for held in np.array_split(order, n_splits):
            fit = np.setdiff1d(order, held)
            part = VoteBlend(blend.prior_rows, blend.parts)
            part.fit(scores[fit], votes[fit], y[fit], _rows(text, fit))
            out[held] = part.logits(scores[held], votes[held], _rows(text, held))
    blend.fit(scores, votes, y, text)
    if n_splits < 2:
        out = blend.logits(scores, votes, text)
    return out


def _rows(
    values: NDArray[np.float64] | None, rows: NDArray[np.int64]
) -> NDArray[np.float64] | None:
    return None if values is None else values[rows]


def _loss_and_grad(
    theta: NDArray[np.float64],
    parts: list[NDArray[np.float64]],
    y: NDArray[np.int64],
    weights: NDArray[np.float64],
    start: NDArray[np.float64],
    penalty: float,
) -> tuple[float, NDArray[np.float64]]:
    """Weighted mean log-loss (weights sum to 1) + penalty * |theta - start|^2, and its gradient;
    theta holds k weights per part (each part (n, k)), then k biases."""
    *w, beta = np.split(theta, len(parts) + 1)
    z = beta + sum((wj * part for wj, part in zip(w, parts, strict=True)), np.zeros_like(parts[0]))
    z -= z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(z).sum(axis=1))
    rows = np.arange(len(y))
    loss = float(-(weights * (z[rows, y] - log_norm)).sum())
    residual = np.exp(z - log_norm[:, None])
    residual[rows, y] -= 1.0
    residual *= weights[:, None]
    grad = np.concatenate([(residual * part).sum(axis=0) for part in parts] + [residual.sum(0)])
    shift = theta - start
    return loss + penalty * float(shift @ shift), grad + 2 * penalty * shift


def _start(parts: tuple[str, ...], k: int) -> NDArray[np.float64]:
    """The prior the fit is pulled towards: scores as they are, votes and text at half weight
    (text alone at full weight), no bias."""
    weights = [
        1.0 if part == "text" and "scores" not in parts else START_WEIGHT[part] for part in parts
    ]
    return np.concatenate([np.full(k, w) for w in weights] + [np.zeros(k)])


def _check(scores: NDArray[np.float64], votes: NDArray[np.float64]) -> None:
    if scores.shape != votes.shape or scores.ndim != 2:
        raise ConfigError(
            f"scores {scores.shape} and votes {votes.shape} must both be (n, classes); "
            "compute votes with the model's own neighbours"
        )
