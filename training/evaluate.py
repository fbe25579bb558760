"""Evaluation on labelled tickets: per target, per slice, and cross-target consistency."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from training.auto_report import FAILED, auto_report, broken_classes
from training.datasets import labels
from triage.calibration import expected_calibration_error
from triage.class_bias import predicted_scores
from triage.features import feature_input
from triage.metrics import evaluate_target, label_indices, paired_bootstrap
from triage.policy import precision_coverage_curve
from triage.schema import Ticket
from triage.triager import TriageModel, Triager

logger = logging.getLogger(__name__)

MIN_SLICE = 20


def _labelled(tickets: Sequence[Ticket], target: str) -> tuple[NDArray[np.int64], list[str]]:
    values = labels(tickets, target)
    rows = [i for i, v in enumerate(values) if v is not None]
    return np.asarray(rows, dtype=np.int64), [str(values[i]) for i in rows]


def evaluate_probabilities(
    model: TriageModel,
    tickets: Sequence[Ticket],
    proba: dict[str, NDArray[np.float64]],
    raw: dict[str, NDArray[np.float64]] | None = None,
    uncalibrated: dict[str, NDArray[np.float64]] | None = None,
    unfamiliar: Sequence[str | None] | None = None,
) -> dict[str, Any]:
    """Metrics of `model` on tickets given its probabilities.

    `proba`: final (calibrated, consistent); `raw`: calibrated, each target alone (for the
    inconsistency rate); `uncalibrated`: softmax of raw scores (for ECE before calibration);
    `unfamiliar`: the familiarity guard's verdict per ticket (`TriageModel.unfamiliar`). Auto
    coverage and precision count the actions exactly as served (`TriageModel.decisions`).
    """
    decisions = model.decisions(proba, unfamiliar or [None] * len(tickets))
    targets: dict[str, Any] = {}
    for target, clf in model.classifiers.items():
        rows, y = _labelled(tickets, target)
        classes = clf.classes_.tolist()
        report = evaluate_target(y, proba[target][rows], classes)
        served = [decisions[target][i] for i in rows]
        policy = model.policies[target]
        report.update(auto_report(y, served, policy.target_precision, policy.cost_ratio))
        report["never_auto_classes"] = dict(policy.never_auto)
        if uncalibrated is not None:
            y_index = label_indices(y, classes)
            report["ece_uncalibrated"] = expected_calibration_error(
                uncalibrated[target][rows], y_index
            )
        report["slices"] = _slices(tickets, rows, y, proba[target][rows], classes)
        report["precision_coverage"] = precision_coverage_curve(
            proba[target][rows], label_indices(y, classes), points=11
        )
        targets[target] = report
    return {"targets": targets, "consistency": _consistency(model, tickets, proba, raw)}


def _slices(
    tickets: Sequence[Ticket],
    rows: NDArray[np.int64],
    y: list[str],
    proba: NDArray[np.float64],
    classes: list[str],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = {
        "language": [tickets[i].language or "unknown" for i in rows],
        "channel": [tickets[i].channel.value if tickets[i].channel else "unknown" for i in rows],
    }
    for name, values in fields.items():
        counts = Counter(values)
        for value, n in counts.items():
            if n < MIN_SLICE:
                continue
            mask = np.asarray([v == value for v in values])
            sub = evaluate_target([y[i] for i in np.flatnonzero(mask)], proba[mask], classes)
            out[f"{name}={value}"] = {
                "n": n,
                "accuracy": sub["accuracy"],
                "macro_f1": sub["macro_f1"],
            }
    return out


def _consistency(
    model: TriageModel,
    tickets: Sequence[Ticket],
    proba: dict[str, NDArray[np.float64]],
    raw: dict[str, NDArray[np.float64]] | None,
) -> dict[str, float]:
    out = {}
    for link in model.links:
        parent = model.classifiers[link.parent].classes_
        child = model.classifiers[link.child].classes_
        name = f"{link.parent}->{link.child}"
        for kind, source in (("raw", raw), ("final", proba)):
            if source is not None:
                rate = link.inconsistency_rate(
                    parent[source[link.parent].argmax(axis=1)].tolist(),
                    child[source[link.child].argmax(axis=1)].tolist(),
                )
                out[f"{name}.{kind}_inconsistency"] = rate
    return out


def evaluate_triager(
    triager: Triager, tickets: Sequence[Ticket], predicted: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """Full metrics of a loaded bundle on labelled tickets (embeddings batched once), with the
    actions decided as `Triager.predict_many` decides them. `predicted`, when given, receives
    each target's served label per ticket (to compare with another model on the same rows)."""
    vectors = triager.embed([t.text for t in tickets])
    data = feature_input(tickets, vectors)
    model = triager.model
    found = model.search(data)  # one neighbour search for every pass below
    proba = model.predict_proba(data, consistent=True, found=found)
    raw = model.predict_proba(data, consistent=False, found=found)
    uncalibrated = model.uncalibrated_proba(data, found)
    unfamiliar = model.unfamiliar(data, found)
    report = evaluate_probabilities(model, tickets, proba, raw, uncalibrated, unfamiliar)
    if predicted is not None:
        for target, clf in model.classifiers.items():
            classes = clf.classes_.tolist()
            predicted[target] = [str(classes[j]) for j in proba[target].argmax(axis=1)]
    report["model_version"] = triager.version
    report["n_tickets"] = len(tickets)
    return report


def summary(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One small object per target: accuracy, macro_f1, coverage, ece, auto precision with its
    Wilson 95% interval, the promise check, what the autos were worth per ticket (+ n, top-3,
    weak classes, classes flagged, the names of the classes that never auto-apply)."""
    keys = (
        "n",
        "accuracy",
        "macro_f1",
        "coverage",
        "auto_precision",
        "auto_precision_interval",
        "promise",
        "worth_per_ticket",
        "flagged_classes",
        "never_auto_classes",
        "ece",
        "top3_accuracy",
        "weak_classes",
    )
    out = {t: {k: r.get(k) for k in keys} for t, r in report["targets"].items()}
    for small in out.values():
        small["never_auto_classes"] = sorted(small["never_auto_classes"] or [])
    return out


def broken_promises(report: dict[str, Any]) -> list[str]:
    """Targets and classes whose auto precision is below the target precision with 95%
    confidence (Wilson upper bound below it): the quality gate of `triage evaluate`."""
    broken = []
    for target, r in report["targets"].items():
        if r.get("promise") == FAILED:
            broken.append(target)
        broken += [f"{target}:{c}" for c in broken_classes(r)]
    return broken


def write_report(report: dict[str, Any], path: Path) -> Path:
    """Write the evaluation report as JSON (summary per target first, details after)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {**summary(report), "details": report}
    path.write_text(json.dumps(payload, indent=2, default=_plain))
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def paired_difference(
    product: Sequence[str], baseline: Sequence[str], truth: Sequence[str], seed: int = 0
) -> dict[str, Any]:
    """Product minus baseline (or any model minus another) in accuracy and macro-F1, in points,
    on the same tickets' labels, each with a 95% bootstrap interval over the tickets (paired:
    `triage.metrics.paired_bootstrap`, 1,000 resamples). An interval that holds 0 says these
    tickets cannot tell the two apart. Labels neither model knows count as wrong for both."""
    index = {c: i for i, c in enumerate(sorted(set(truth) | set(product) | set(baseline)))}
    ours, theirs, y = (
        np.asarray([index[v] for v in s], dtype=np.int64) for s in (product, baseline, truth)
    )
    if len(y) == 0:
        return {}
    k = len(index)
    point = np.subtract(predicted_scores(ours, y, k), predicted_scores(theirs, y, k))
    low, high = np.percentile(paired_bootstrap(ours, theirs, y, k, seed), [2.5, 97.5], axis=0)
    return {
        name: {
            "points": round(100 * float(point[j]), 2),
            "interval": [round(100 * float(low[j]), 2), round(100 * float(high[j]), 2)],
        }
        for j, name in enumerate(("accuracy", "macro_f1"))
    }
