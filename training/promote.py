"""Promotion gate, rollback and export: move `@champion` only when no target gets worse."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from training.config import TrainConfig
from training.datasets import labels
from training.evaluate import evaluate_triager, paired_difference, summary
from training.tracking import (
    CHALLENGER,
    CHAMPION,
    download_eval_set,
    fetch_bundle,
    get_version,
    log_to_run,
    registry,
    set_alias,
    version_for_alias,
)
from triage.bundle import copy_bundle
from triage.dataset import read_tickets
from triage.embeddings import Embedder
from triage.errors import NotFoundError
from triage.triager import Triager

logger = logging.getLogger(__name__)

GATE_METRICS = ("accuracy", "macro_f1")


@dataclass(frozen=True)
class GateResult:
    """Per target and metric: challenger, champion, difference; `passed` when none dropped."""

    passed: bool
    tolerance: float
    comparison: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def compare(
    challenger: dict[str, dict[str, Any]],
    champion: dict[str, dict[str, Any]],
    tolerance: float,
    metrics: tuple[str, ...] = GATE_METRICS,
    intervals: dict[str, dict[str, list[float]]] | None = None,
) -> GateResult:
    """Gate on per-target metrics (`{target: {metric: value}}`) measured on the same eval set.

    Fails when a target the champion predicts is missing from the challenger, or any metric drops
    by more than `tolerance` (absolute). `intervals` (`{target: {metric: [low, high]}}`, the
    change's paired 95% interval, `change_intervals`) are kept as `delta_interval` and quoted by
    a refusal, so a drop can be read against the eval set's noise; they do not change the verdict.
    """
    intervals = intervals or {}
    comparison: dict[str, dict[str, dict[str, Any]]] = {}
    reasons = []
    for target, old in champion.items():
        new = challenger.get(target)
        if new is None:
            reasons.append(f"{target}: the challenger does not predict it")
            continue
        comparison[target] = {}
        for metric in metrics:
            delta = float(new[metric]) - float(old[metric])
            entry: dict[str, Any] = {
                "challenger": float(new[metric]),
                "champion": float(old[metric]),
                "delta": delta,
            }
            interval = intervals.get(target, {}).get(metric)
            if interval is not None:
                entry["delta_interval"] = interval
            comparison[target][metric] = entry
            if delta < -tolerance:
                quoted = (
                    ""
                    if interval is None
                    else f" (95% interval of the change {interval[0]:+.4f} to {interval[1]:+.4f})"
                )
                reasons.append(
                    f"{target}.{metric} drops {-delta:.4f} > tolerance {tolerance}{quoted}"
                )
    return GateResult(not reasons, tolerance, comparison, reasons)


def _score(
    client: Any,
    name: str,
    version: Any,
    eval_tickets: list[Any],
    embedder: Embedder | None,
    tmp: Path,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The version's summary on the eval tickets and its served label per target and ticket."""
    dest = tmp / f"v{version.version}"
    _, bundle = fetch_bundle(client, name, dest, version=str(version.version))
    predicted: dict[str, list[str]] = {}
    report = evaluate_triager(Triager.load(bundle, embedder), eval_tickets, predicted)
    return summary(report), predicted


def change_intervals(
    challenger: dict[str, list[str]], champion: dict[str, list[str]], tickets: list[Any]
) -> dict[str, dict[str, list[float]]]:
    """Per target both predict and metric: the paired 95% bootstrap interval of challenger minus
    champion on the tickets' labels (`training.evaluate.paired_difference`), as fractions."""
    out: dict[str, dict[str, list[float]]] = {}
    for target in challenger.keys() & champion.keys():
        truth = labels(tickets, target)
        rows = [i for i, v in enumerate(truth) if v is not None]
        diff = paired_difference(
            [challenger[target][i] for i in rows],
            [champion[target][i] for i in rows],
            [str(truth[i]) for i in rows],
        )
        out[target] = {
            metric: [round(v / 100, 4) for v in d["interval"]] for metric, d in diff.items()
        }
    return out


def promote(
    config: TrainConfig,
    *,
    eval_data: Path | None = None,
    force: bool = False,
    root: Path | None = None,
    embedder: Embedder | None = None,
) -> dict[str, Any]:
    """Compare `@challenger` with `@champion` on a frozen eval set; move `@champion` if it passes.

    The eval set is `eval_data` (normalised tickets Parquet) or the challenger run's logged test
    split. Without a champion the challenger is promoted. `force` promotes anyway and is recorded.
    """
    name = config.tracking.model_name
    client = registry(config, root)
    challenger = version_for_alias(client, name, CHALLENGER)
    if challenger is None:
        raise NotFoundError(f"model {name} has no @{CHALLENGER}; run `triage train` first")
    champion = version_for_alias(client, name, CHAMPION)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = eval_data or download_eval_set(client, challenger, tmp / "eval")
        tickets = read_tickets(Path(path))
        if champion is None:
            gate = GateResult(True, config.tracking.promote_tolerance, reasons=["no champion yet"])
        elif champion.version == challenger.version:
            gate = GateResult(True, config.tracking.promote_tolerance, reasons=["already champion"])
        else:
            new, new_labels = _score(client, name, challenger, tickets, embedder, tmp)
            old, old_labels = _score(client, name, champion, tickets, embedder, tmp)
            intervals = change_intervals(new_labels, old_labels, tickets)
            gate = compare(new, old, config.tracking.promote_tolerance, intervals=intervals)
    promoted = gate.passed or force
    if promoted:
        _move_champion(
            client, name, challenger, champion, forced=force and not gate.passed, gate=gate
        )
    return {
        "model_name": name,
        "challenger": challenger.version,
        "champion_before": champion.version if champion else None,
        "champion_after": challenger.version
        if promoted
        else (champion.version if champion else None),
        "promoted": promoted,
        "forced": force and not gate.passed,
        "gate_passed": gate.passed,
        "reasons": gate.reasons,
        "comparison": gate.comparison,
        "eval_tickets": len(tickets),
    }


def _move_champion(
    client: Any, name: str, challenger: Any, champion: Any, *, forced: bool, gate: GateResult
) -> None:
    now = datetime.now(UTC).isoformat()
    tags = {
        "promoted_at": now,
        "previous_champion": champion.version if champion else "",
        "forced_promotion": str(forced).lower(),
    }
    set_alias(client, name, CHAMPION, challenger.version, tags)
    if forced:
        logger.warning(
            "forced promotion of %s v%s despite: %s",
            name,
            challenger.version,
            "; ".join(gate.reasons),
        )
        log_to_run(
            client, challenger.run_id, "forced_promotion", f"{now}: {'; '.join(gate.reasons)}"
        )


def rollback(
    config: TrainConfig, *, to_version: str | None = None, root: Path | None = None
) -> dict[str, Any]:
    """Move `@champion` back to the version it replaced (or to `to_version`)."""
    name = config.tracking.model_name
    client = registry(config, root)
    current = version_for_alias(client, name, CHAMPION)
    if current is None:
        raise NotFoundError(f"model {name} has no @{CHAMPION}; nothing to roll back")
    target = to_version or (current.tags or {}).get("previous_champion")
    if not target:
        raise NotFoundError(
            f"{name} v{current.version} replaced no earlier champion; pass --to VERSION"
        )
    get_version(client, name, target)
    set_alias(
        client,
        name,
        CHAMPION,
        target,
        {"rolled_back_from": current.version, "rolled_back_at": datetime.now(UTC).isoformat()},
    )
    return {"model_name": name, "champion_before": current.version, "champion_after": target}


def export(
    config: TrainConfig,
    out_dir: Path,
    *,
    alias: str = "champion",
    version: str | None = None,
    root: Path | None = None,
) -> dict[str, Any]:
    """Write the bundle of `name@alias` (or a version) to `out_dir`, manifest stamped with it."""
    name = config.tracking.model_name
    client = registry(config, root)
    with tempfile.TemporaryDirectory() as tmp:
        chosen, source = fetch_bundle(client, name, Path(tmp), alias=alias, version=version)
        info = {
            "name": name,
            "version": chosen.version,
            "run_id": chosen.run_id,
            "alias": alias if not version else None,
        }
        stamp = {"registry": info, "version": f"{name}-v{chosen.version}"}
        path = copy_bundle(source, Path(out_dir), stamp)
    return {"model_name": name, "version": chosen.version, "bundle_path": str(path)}
