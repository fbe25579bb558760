"""Fusing dense and BM25 rankings: reciprocal rank fusion and a bounded relevance score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

FUSIONS = ("rrf", "score", "dense", "lexical")


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: int = 60
) -> dict[str, float]:
    """RRF: sum over rankings of `weight / (k + rank)` (rank from 1); higher is better."""
    weights = weights if weights is not None else [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def relevance(cosine: float, lexical: float, alpha: float) -> float:
    """Bounded relevance in about [-1, 1): `(1 - alpha) * cosine + alpha * lexical`.

    `lexical` is a TF-IDF cosine (`BM25Index.cosine_scores`) or BM25 as a fraction of its upper
    bound (`BM25Index.relative_scores`), both in [0, 1]. Unlike RRF
    the result is absolute, so one calibrated threshold can reject unrelated queries.
    """
    return (1.0 - alpha) * cosine + alpha * lexical


def rank(
    candidates: Sequence[str],
    dense: Mapping[str, float],
    lexical: Mapping[str, float],
    *,
    fusion: str,
    alpha: float,
    rrf_k: int = 60,
    weights: tuple[float, float] = (1.0, 1.0),
) -> list[tuple[str, float]]:
    """Candidates ordered by `fusion` ("rrf", "score", "dense" or "lexical"), with their relevance.

    `dense` holds cosine and `lexical` the lexical similarity (0 to 1) per candidate (0 if absent).
    """
    rel = {c: relevance(dense.get(c, 0.0), lexical.get(c, 0.0), alpha) for c in candidates}
    if fusion == "rrf":
        by_dense = sorted(candidates, key=lambda c: -dense.get(c, 0.0))
        by_lex = [
            c
            for c in sorted(candidates, key=lambda c: -lexical.get(c, 0.0))
            if lexical.get(c, 0.0) > 0
        ]
        fused = reciprocal_rank_fusion([by_dense, by_lex], weights, rrf_k)
        key = {c: fused.get(c, 0.0) for c in candidates}
    elif fusion == "score":
        key = rel
    elif fusion == "dense":
        key = {c: dense.get(c, 0.0) for c in candidates}
    else:
        key = {c: lexical.get(c, 0.0) for c in candidates}
    ordered = sorted(candidates, key=lambda c: (-key[c], -rel[c]))
    return [(c, rel[c]) for c in ordered]
