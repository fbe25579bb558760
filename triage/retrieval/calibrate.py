"""Per-index cut-offs at build time: a floor that keeps the known matches, a strong cut-off.

The floor drops results; above it results are shown, marked "strong" at or above the strong
cut-off and "weak" below it, so the agent sees a weak true match instead of nothing. Both are
fitted on the index's own data: known-related pairs (`triage.retrieval.pairs`) and the built-in
unrelated queries (`triage.retrieval.ood`). The trade-off stated in `RetrievalConfig`: the floor
is the lowest cut-off that leaves `unrelated_empty_share` (90%) of the unrelated queries with an
empty list, but never above the one that keeps `keep_share` (95%) of the known matches that rank
in the top 10, in every source of pairs on its own (the hardest source sets it). Keeping matches
wins when the two collide: the record says so (`unrelated.met` false).

Why the lowest and not the highest floor both targets allow: known pairs are easier than what
agents search for (generated tickets on one topic are near-identical: the sample's "same KB
article" pairs set 0.575, which hid the first similar ticket of 72% of the hand-written tickets
and of 65% of those whose first similar ticket was on topic; BENCHMARKS.md, Retrieval). Below
the strong cut-off a result is marked weak anyway: a low floor costs a weak line, a high one a
hidden solution.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.errors import ConfigError
from triage.retrieval.pairs import KnownPairs, StandIn
from triage.retrieval.relevance import calibrate_threshold

logger = logging.getLogger(__name__)

TOP = 10
MIN_MATCHES = 20
"""A source needs this many matches in the top 10 to set the floor (its 5% is one match)."""

Ranker = Callable[
    [str, NDArray[np.float32], frozenset[str], StandIn | None], list[tuple[str, float]]
]
"""(query text, vector (dim,), ids to leave out, stand-in) -> (id, relevance), best first, ungated:
one collection's ranking exactly as served."""


@dataclass(frozen=True, slots=True)
class Probe:
    """One known-pair query's ranking: its best match and the best result that is no match."""

    match_rank: int | None
    """1-based rank of the best-ranked match among the candidates; None when none is there."""
    match_score: float | None
    top_score: float | None
    top_correct: bool
    other_score: float | None
    """The best non-match's relevance: what the query scores when nothing relevant is indexed."""


def probe(ranker: Ranker, pairs: KnownPairs) -> list[Probe]:
    """Rank every query of `pairs` (its own id left out, its stand-in in place of the match)."""
    out = []
    for i, text in enumerate(pairs.texts):
        own = pairs.own[i]
        ranked = ranker(text, pairs.vectors[i], frozenset({own} if own else ()), pairs.stand_ins[i])
        out.append(_probe_of(ranked, pairs.relevant[i]))
    return out


def _probe_of(ranked: list[tuple[str, float]], relevant: frozenset[str]) -> Probe:
    hit = next(((r, s) for r, (c, s) in enumerate(ranked, start=1) if c in relevant), None)
    other = next((s for c, s in ranked if c not in relevant), None)
    return Probe(
        match_rank=hit[0] if hit else None,
        match_score=hit[1] if hit else None,
        top_score=ranked[0][1] if ranked else None,
        top_correct=bool(ranked) and ranked[0][0] in relevant,
        other_score=other,
    )


def top_scores(ranker: Ranker, texts: Sequence[str], vectors: NDArray[np.float32]) -> list[float]:
    """The best relevance each query gets (0 when the collection returns nothing)."""
    scores = []
    for text, vector in zip(texts, vectors, strict=True):
        ranked = ranker(text, vector, frozenset(), None)
        scores.append(ranked[0][1] if ranked else 0.0)
    return scores


def floor_bound(scores: Sequence[float], keep_share: float) -> float:
    """The highest cut-off that keeps at least `keep_share` of `scores` (at or above it)."""
    ordered = sorted(scores)
    return float(ordered[math.floor((1.0 - keep_share) * len(ordered))])


def emptying_bound(tops: Sequence[float], empty_share: float) -> float:
    """The lowest cut-off that leaves at least `empty_share` of queries with nothing above it."""
    ordered = sorted(tops)
    return float(ordered[max(math.ceil(empty_share * len(ordered)) - 1, 0)]) + 1e-6


def fit_floor(
    probes: dict[str, list[Probe]],
    unrelated_tops: Sequence[float],
    keep_share: float,
    empty_share: float,
) -> dict[str, Any]:
    """The floor and its record: the unrelated queries' `emptying_bound`, capped by the lowest
    per-source `floor_bound` of matches ranked in the top 10 (sources with `MIN_MATCHES`);
    either alone when the other is missing; None when there is nothing to fit on."""
    sources: dict[str, dict[str, Any]] = {}
    keep = []
    for name, found in probes.items():
        scores = _top_match_scores(found)
        sources[name] = {"queries": len(found), "matches_in_top10": len(scores)}
        if len(scores) >= MIN_MATCHES:
            keep.append(floor_bound(scores, keep_share))
            sources[name]["bound"] = round(keep[-1], 4)
    empty = emptying_bound(unrelated_tops, empty_share) if unrelated_tops else None
    if empty is None and not keep:
        return {"value": None, "sources": sources}
    value = min([*keep, *([] if empty is None else [empty])])
    how = (
        f"leaves >= {empty_share:.0%} of unrelated queries empty"
        if value == empty
        else f"keeps >= {keep_share:.0%} of the known matches in the top 10"
    )
    for name, found in probes.items():
        scores = _top_match_scores(found)
        if scores:
            sources[name]["kept_at_floor"] = round(float(np.mean([s >= value for s in scores])), 3)
    return {"value": value, "rule": how, "sources": sources}


def _top_match_scores(found: Sequence[Probe]) -> list[float]:
    """Scores of the matches that rank in the top 10."""
    return [
        p.match_score
        for p in found
        if p.match_rank is not None and p.match_rank <= TOP and p.match_score is not None
    ]


def unrelated_record(tops: Sequence[float], floor: float, empty_share: float) -> dict[str, Any]:
    """How many unrelated queries the floor leaves with an empty list, against the target."""
    empty = float(np.mean([t < floor for t in tops])) if tops else float("nan")
    return {
        "queries": len(tops),
        "empty_at_floor": round(empty, 3),
        "target": empty_share,
        "met": bool(tops) and empty >= empty_share,
        "floor_needed": emptying_bound(tops, empty_share) if tops else None,
    }


def fit_strong(probes: Sequence[Probe], max_hit_rate: float) -> dict[str, Any]:
    """The strong cut-off: below it a top hit is right at most `max_hit_rate` of the time, from
    every probe's top hit as is and with its matches withheld (`calibrate_threshold`)."""
    scores: list[float] = []
    correct: list[bool] = []
    for p in probes:
        if p.top_score is not None:
            scores.append(p.top_score)
            correct.append(p.top_correct)
        if p.other_score is not None:
            scores.append(p.other_score)
            correct.append(False)
    try:
        fit = calibrate_threshold(scores, correct, max_hit_rate)
    except ConfigError as exc:
        logger.info("strong cut-off not calibrated: %s", exc)
        return {"value": None}
    return {"value": round(fit.threshold, 4), **fit.as_dict()}


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """A collection's floor and strong cut-off with the record of how they were set."""

    floor: float
    strong: float
    record: dict[str, Any]


def calibrate_collection(
    ranker: Ranker,
    pair_sets: Sequence[KnownPairs],
    unrelated: tuple[Sequence[str], NDArray[np.float32]],
    config: Any,
) -> Cutoffs:
    """Fit one collection's cut-offs (`config`: a `RetrievalConfig`); fixed values in the
    config win over calibration, defaults fill in what the data cannot calibrate."""
    probes = {p.source: probe(ranker, p) for p in pair_sets}
    tops = top_scores(ranker, unrelated[0], unrelated[1])
    floor = _chosen(
        config.min_relevance,
        fit_floor(probes, tops, config.keep_share, config.unrelated_empty_share),
        config.default_min_relevance,
    )
    floor["unrelated"] = unrelated_record(tops, floor["value"], config.unrelated_empty_share)
    every = [p for found in probes.values() for p in found]
    strong = _chosen(
        config.strong_relevance,
        fit_strong(every, config.max_hit_rate),
        config.default_strong_relevance,
    )
    strong["value"] = max(strong["value"], floor["value"])
    return Cutoffs(floor["value"], strong["value"], {"floor": floor, "strong": strong})


def _chosen(fixed: float | None, fitted: dict[str, Any], default: float) -> dict[str, Any]:
    if fixed is not None:
        return {"value": float(fixed), "source": "config (fixed)"}
    if fitted.get("value") is None:
        return {**fitted, "value": float(default), "source": "config default (nothing to fit)"}
    return {**fitted, "source": "calibrated"}
