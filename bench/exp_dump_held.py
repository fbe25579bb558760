"""Dump each target's held-out blend inputs (validation scores, votes, baseline log-probs) of a
training run on the training part only, for offline experiments on the choice rule.

    .venv/bin/python bench/exp_dump_held.py --dataset it48k --out /tmp/held

Nothing of the external test data is read (`bench_train_select.training_part`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
from bench_train_cli import MAPPINGS, REPO, SOURCES
from bench_train_select import candidate_config, training_part


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True, choices=sorted(MAPPINGS))
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=REPO / ".cache" / "embeddings")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    source = SOURCES.get(args.dataset)
    if source is not None and not source.exists():
        print(f"skip: {source} not found (shared data absent)", file=sys.stderr)
        return 0
    import training.train as train_module

    original = train_module.choose_served
    args.out.mkdir(parents=True, exist_ok=True)
    count = [0]

    def dumping(clf: Any, held: Any, seed: int, shifts: Any, *rest: Any) -> Any:
        name = f"{args.dataset}-{count[0]}-{'_'.join(map(str, clf.classes_[:2]))}"
        count[0] += 1
        arrays = {"scores": held.scores, "y": held.y}
        arrays |= {k: getattr(held, k) for k in ("votes", "text") if getattr(held, k) is not None}
        np.savez(args.out / f"{name}.npz", classes=np.asarray(clf.classes_, dtype=str), **arrays)
        return original(clf, held, seed, shifts, *rest)

    train_module.choose_served = dumping
    tickets = training_part(args.dataset, args.data)
    config = candidate_config("default", args.cache)
    config = (
        config.model_copy(update={"baselines": True}) if hasattr(config, "model_copy") else config
    )
    result = train_module.train(config, tickets)
    for target, report in result.metrics["targets"].items():
        print(target, report.get("served"), report.get("accuracy"), report.get("macro_f1"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
