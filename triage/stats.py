"""Binomial confidence intervals for precision estimated on a finite number of predictions."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

Z95 = 1.959963984540054
"""Two-sided 95%: the interval every report quotes."""


def z_one_sided(level: float) -> float:
    """z such that a one-sided bound holds with probability `level` (0.95 -> 1.645)."""
    return NormalDist().inv_cdf(level)


def wilson_bounds(
    hits: ArrayLike, n: ArrayLike, z: float = Z95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Wilson score interval (lower, upper) of a proportion hits / n, element-wise.

    n = 0 gives (0, 1): no data, no knowledge. Better than the normal approximation near 0 and 1
    and for small n, which is where thresholds for rare classes live.
    """
    k = np.asarray(hits, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    safe = np.where(m > 0, m, 1.0)
    p = k / safe
    denominator = 1 + z * z / safe
    centre = (p + z * z / (2 * safe)) / denominator
    half = z * np.sqrt(p * (1 - p) / safe + z * z / (4 * safe * safe)) / denominator
    lower = np.where(m > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
    upper = np.where(m > 0, np.clip(centre + half, 0.0, 1.0), 1.0)
    return lower, upper


def wilson_interval(hits: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson interval of one proportion as two floats."""
    lower, upper = wilson_bounds(hits, n, z)
    return float(lower), float(upper)
