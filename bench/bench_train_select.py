"""Model selection on training data only: the run's own test part is cut off before anything is fit.

The product's split (`training.datasets.split_tickets`, default config) is applied to the whole
dataset first and its test part dropped; the remaining train + validation part is then trained
with each candidate config, whose own split makes a new test part out of it. So a choice made
here never saw the tickets the quoted figures (`bench_train_cli.py`) are measured on. For it48k
the input is already the issue's 80% training CSV, so nothing of the external 20% is read.

    .venv/bin/python bench/bench_train_select.py --dataset hadoop \
        --candidate default --candidate model.neighbours=0 \
        --candidate "model.neighbours=0;model.kind=logreg;model.C=10"

A candidate is `default` or `;`-separated `key.sub=value` overrides (values parsed as YAML). One
JSON line per candidate and target: accuracy, macro-F1, coverage and ECE on the inner test part.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from bench_train_cli import MAPPINGS, REPO, SOURCES, prepare
from results_log import emit_line


def candidate_config(spec: str, cache: Path) -> Any:
    from training.config import parse_config

    config = yaml.safe_load((REPO / "training" / "configs" / "default.yaml").read_text())
    config["embedding_cache"] = str(cache)
    config["baselines"] = False
    for item in [] if spec == "default" else spec.split(";"):
        key, _, value = item.partition("=")
        node = config
        *parents, last = key.strip().split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = yaml.safe_load(value)
    return parse_config(config, spec)


def training_part(dataset: str, data: Path | None) -> list[Any]:
    """The dataset's tickets without the test part the product's default split holds out."""
    from training.cli.common import load_tickets
    from training.config import parse_config
    from training.datasets import split_tickets
    from training.train import trainable_targets

    work = Path(tempfile.mkdtemp(prefix=f"select-{dataset}-"))
    train_file, _ = prepare(dataset, work, data)
    tickets = load_tickets(train_file, MAPPINGS[dataset])
    if dataset == "it48k":
        return tickets  # the 80% already; the 20% is never read here
    config = parse_config({})
    targets, _ = trainable_targets(config, tickets)
    split = split_tickets(tickets, config.split, config.seed, stratify=targets[0])
    return split.train + split.val


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True, choices=sorted(MAPPINGS))
    parser.add_argument("--data", type=Path, default=None, help="tickets file (sample only)")
    parser.add_argument("--cache", type=Path, default=REPO / ".cache" / "embeddings")
    parser.add_argument("--candidate", action="append", default=[])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    source = SOURCES.get(args.dataset)
    if source is not None and not source.exists():
        print(f"skip: {source} not found (shared data absent)", file=sys.stderr)
        return 0
    from training.train import train

    tickets = training_part(args.dataset, args.data)
    for spec in args.candidate or ["default"]:
        start = time.perf_counter()
        result = train(candidate_config(spec, args.cache), tickets)
        for target, report in result.metrics["targets"].items():
            line = {
                "dataset": args.dataset,
                "candidate": spec,
                "target": target,
                "inner_split": result.split_sizes,
                **{
                    k: None if report.get(k) is None else round(float(report[k]), 4)
                    for k in ("accuracy", "macro_f1", "coverage", "auto_precision", "ece")
                },
                "f1_per_class": {
                    c: round(v["f1"], 3) for c, v in report.get("per_class", {}).items()
                },
                "baselines": report.get("baselines", {}),
                "prior_shift": report.get("prior_shift"),
                "seconds": round(time.perf_counter() - start, 1),
            }
            emit_line(line, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
