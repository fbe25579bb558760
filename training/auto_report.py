"""Auto coverage and auto precision as served, per target and per class, with Wilson intervals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from triage.policy import net_worth
from triage.prediction import Action, TargetPrediction
from triage.stats import wilson_interval

OK, BELOW, FAILED, NO_AUTO = "ok", "below_target", "failed", "no_auto"
"""Promise check: `ok` precision >= target; `below_target` the point estimate is below but the
Wilson 95% interval still holds the target (could be noise); `failed` the whole interval is
below the target (the promise is broken with 95% confidence); `no_auto` nothing auto-applied."""

MIN_CLASS_AUTO = 30
"""A class is judged on its own once this many of its predictions were auto-applied: below that
its interval is too wide to say anything (30 right of 30 has a lower bound of 0.89)."""


def promise(hits: int, auto: int, target: float) -> str:
    """The promise check of `auto` auto-applied predictions of which `hits` were right."""
    if auto == 0:
        return NO_AUTO
    if wilson_interval(hits, auto)[1] < target:
        return FAILED
    return BELOW if hits / auto < target else OK


def _counts(
    labels: Sequence[str], served: Sequence[TargetPrediction], label: str | None = None
) -> dict[str, Any]:
    """Coverage and auto precision over every row, or the rows predicted as `label`."""
    rows = [(y, p) for y, p in zip(labels, served, strict=True) if label in (None, p.label)]
    auto = [y == p.label for y, p in rows if p.action is Action.AUTO]
    hits = sum(auto)
    return {
        "n": len(rows),
        "auto_count": len(auto),
        "coverage": len(auto) / len(rows) if rows else 0.0,
        "auto_precision": hits / len(auto) if auto else None,
        "auto_precision_interval": list(wilson_interval(hits, len(auto))),
        "hits": hits,
    }


def auto_report(
    labels: Sequence[str],
    served: Sequence[TargetPrediction],
    target_precision: float,
    cost_ratio: float | None = None,
) -> dict[str, Any]:
    """What auto-applying meant on labelled tickets: `labels` the true labels, `served` the
    predictions as the service made them (same order).

    Top level: coverage, auto precision (None when nothing was auto), its Wilson 95% interval,
    the promise check (`promise`), classes with at least `MIN_CLASS_AUTO` auto predictions
    whose precision is below the target (`flagged_classes`). `auto.per_class` has the same per
    predicted class, `auto.not_auto_reasons` counts why the other predictions were not auto.
    With `cost_ratio` (a wrong auto costs that many right ones), `worth_per_ticket`: right autos
    minus `cost_ratio` times wrong ones, per labelled ticket (0: auto-applying nothing; negative:
    the autos cost more than they save).
    """
    overall = _counts(labels, served)
    per_class = {}
    for label in sorted({p.label for p in served}):
        counts = _counts(labels, served, label)
        counts["promise"] = promise(counts["hits"], counts["auto_count"], target_precision)
        per_class[label] = counts
    flagged = [
        c
        for c, r in per_class.items()
        if r["auto_count"] >= MIN_CLASS_AUTO and r["promise"] in (BELOW, FAILED)
    ]
    reasons = Counter(str(p.reason_code) for p in served if p.reason_code is not None)
    return {
        "coverage": overall["coverage"],
        "auto_precision": overall["auto_precision"],
        "auto_precision_interval": overall["auto_precision_interval"],
        "auto_count": overall["auto_count"],
        "target_precision": target_precision,
        "promise": promise(overall["hits"], overall["auto_count"], target_precision),
        "cost_ratio": cost_ratio,
        "worth_per_ticket": _worth(overall, len(labels), cost_ratio),
        "flagged_classes": flagged,
        "auto": {"per_class": per_class, "not_auto_reasons": dict(sorted(reasons.items()))},
    }


def _worth(counts: dict[str, Any], n: int, cost_ratio: float | None) -> float | None:
    if cost_ratio is None or n == 0:
        return None
    wrong = counts["auto_count"] - counts["hits"]
    return net_worth(float(counts["hits"]), float(wrong), cost_ratio) / n


def broken_classes(report: dict[str, Any]) -> list[str]:
    """Classes judged on their own (enough auto predictions) whose promise failed."""
    return [
        c
        for c, r in report.get("auto", {}).get("per_class", {}).items()
        if r["auto_count"] >= MIN_CLASS_AUTO and r["promise"] == FAILED
    ]
