"""Probability calibration: temperature scaling fitted on validation data, and calibration error."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize_scalar


def softmax(logits: NDArray[np.float64], temperature: float = 1.0) -> NDArray[np.float64]:
    """Row-wise softmax of logits / temperature; shape (n, k) -> (n, k), rows sum to 1."""
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return out


def _nll(logits: NDArray[np.float64], y: NDArray[np.int64], temperature: float) -> float:
    p = softmax(logits, temperature)
    return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))


class TemperatureScaler:
    """One temperature T > 0 that minimises validation log-loss; keeps the argmax unchanged.

    `fit(logits (n, k), y (n,) class indices)`; `transform(logits) -> probabilities (n, k)`.
    """

    def __init__(self, bounds: tuple[float, float] = (0.05, 20.0)) -> None:
        self.bounds = bounds

    def fit(self, logits: NDArray[np.float64], y: NDArray[np.int64]) -> TemperatureScaler:
        if len(y) == 0:
            self.temperature_ = 1.0
            return self
        result = minimize_scalar(
            lambda log_t: _nll(logits, y, float(np.exp(log_t))),
            bounds=(np.log(self.bounds[0]), np.log(self.bounds[1])),
            method="bounded",
        )
        self.temperature_ = float(np.exp(result.x))
        return self

    def transform(self, logits: NDArray[np.float64]) -> NDArray[np.float64]:
        return softmax(logits, getattr(self, "temperature_", 1.0))


def expected_calibration_error(
    proba: NDArray[np.float64], y: NDArray[np.int64], bins: int = 15
) -> float:
    """Top-label ECE: mean |accuracy - confidence| over equal-width confidence bins, in [0, 1]."""
    if len(y) == 0:
        return 0.0
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(ece)


def reliability_table(
    proba: NDArray[np.float64], y: NDArray[np.int64], bins: int = 10
) -> list[dict[str, float]]:
    """Per confidence bin: mean confidence, accuracy and count (for reliability diagrams)."""
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            rows.append(
                {
                    "confidence": float(confidence[mask].mean()),
                    "accuracy": float(correct[mask].mean()),
                    "count": float(mask.sum()),
                }
            )
    return rows
