"""Cross-target links (e.g. category -> support line): which pairs occur, and the linked child's
distribution as a mixture over the parent's distribution."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


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

    def mask(
        self, parent_classes: Sequence[str], child_classes: Sequence[str]
    ) -> NDArray[np.bool_]:
        """(parents, children) True where the pair is allowed; a parent never seen allows all."""
        out = np.ones((len(parent_classes), len(child_classes)), dtype=bool)
        children = np.asarray(child_classes)
        for i, parent in enumerate(parent_classes):
            if parent in self.allowed:
                out[i] = np.isin(children, self.allowed[parent])
        return out

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

    def marginal(
        self,
        parent_proba: NDArray[np.float64],
        parent_classes: Sequence[str],
        child_proba: NDArray[np.float64],
        child_classes: Sequence[str],
    ) -> NDArray[np.float64]:
        """The child's served distribution (n, k_child): sum over parents a of P(a | x) times the
        child classifier's P(. | x) restricted to the labels allowed with a, renormalised.

        That is the marginal of the joint P(a, c | x) = P(a | x) P(c | a, x), so a child is never
        surer than the evidence for the parents that imply it: where a category allows one line,
        the line's probability is the probability of those categories, not 1.0. Rows sum to 1.
        """
        allowed = self.mask(parent_classes, child_classes).astype(np.float64)  # (A, K)
        out = np.empty_like(child_proba, dtype=np.float64)
        for start in range(0, len(child_proba), MARGINAL_BLOCK):
            block = slice(start, start + MARGINAL_BLOCK)
            out[block] = _mixture(parent_proba[block], child_proba[block], allowed)
        return out


MARGINAL_BLOCK = 4096
"""Rows per step: bounds the (rows, parents, children) array to tens of MB."""


def _mixture(
    parent_proba: NDArray[np.float64],
    child_proba: NDArray[np.float64],
    allowed: NDArray[np.float64],
) -> NDArray[np.float64]:
    kept = child_proba[:, None, :] * allowed[None, :, :]  # (n, A, K)
    totals = kept.sum(axis=2, keepdims=True)
    # A parent whose allowed children all have probability 0: the child's own distribution.
    conditional = np.where(
        totals > 0, kept / np.where(totals > 0, totals, 1.0), child_proba[:, None, :]
    )
    served: NDArray[np.float64] = np.einsum("na,nak->nk", parent_proba, conditional)
    served /= served.sum(axis=1, keepdims=True)
    return served
