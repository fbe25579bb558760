"""Benchmark: accuracy as served, through `triage train` and `triage evaluate`, on shared data.

Datasets (from ../shared/data, skipped with a message when absent):
  it48k      the issue-9 protocol: `train_test_split(d, test_size=0.2, random_state=0,
             stratify=d["Topic_group"])` written as two CSVs; `triage train` on the 80% with the
             `it_service_tickets_48k` mapping, then `triage evaluate` on the 20%
  hadoop     `triage train` on hadoop_bugs.csv (`hadoop_bugs` mapping, priority, time split); the
             run's own test part (the latest 20%) is the held-out figure
  synthetic  the three support_tickets_synthetic files as one CSV (`support_tickets_synthetic`
             mapping, category = queue and priority; stratified split); the run's test part
  sample     a generated sample (`--data`, e.g. data/sample/tickets.parquet); the run's test part

Each CLI call runs under /usr/bin/time (wall seconds, peak RSS). One JSON line per run: the
training summary (product and in-run baselines per target, side by side), timings, and for it48k
the external evaluation of the product and of the bundle's baseline.

    .venv/bin/python bench/bench_train_cli.py --dataset it48k [--cache DIR] [--set model.alpha=2e-5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from results_log import emit_line

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
TRIAGE = REPO / ".venv" / "bin" / "triage"
SOURCES = {
    "it48k": SHARED / "it_service_tickets_48k" / "all_tickets_processed_improved_v3.csv",
    "hadoop": SHARED / "hadoop_bugs" / "hadoop_bugs.csv",
    "synthetic": SHARED / "support_tickets_synthetic",
}
MAPPINGS = {
    "it48k": "it_service_tickets_48k",
    "hadoop": "hadoop_bugs",
    "synthetic": "support_tickets_synthetic",
    "sample": None,
}
SYNTHETIC_COLUMNS = ["subject", "body", "answer", "type", "queue", "priority", "language"]


def prepare(dataset: str, work: Path, data: Path | None) -> tuple[Path, Path | None]:
    """(training file, external test file or None), written into `work` where needed."""
    import pandas as pd

    if dataset == "sample":
        if data is None or not data.is_file():
            raise SystemExit("--dataset sample needs --data tickets.parquet (triage data generate)")
        return data, None
    if dataset == "hadoop":
        return SOURCES["hadoop"], None
    if dataset == "synthetic":
        frames = [pd.read_csv(f) for f in sorted(SOURCES["synthetic"].glob("*.csv"))]
        merged = pd.concat([f[SYNTHETIC_COLUMNS] for f in frames], ignore_index=True)
        merged.to_csv(work / "synthetic.csv", index=False)
        return work / "synthetic.csv", None
    from sklearn.model_selection import train_test_split

    d = pd.read_csv(SOURCES["it48k"])
    train, test = train_test_split(d, test_size=0.2, random_state=0, stratify=d["Topic_group"])
    train.to_csv(work / "train.csv", index=False)
    test.to_csv(work / "test.csv", index=False)
    return work / "train.csv", work / "test.csv"


def config_file(work: Path, overrides: list[str]) -> Path:
    """The default config with `key.sub=value` overrides (values parsed as YAML)."""
    config = yaml.safe_load((REPO / "training" / "configs" / "default.yaml").read_text())
    for item in overrides:
        key, _, value = item.partition("=")
        node = config
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = yaml.safe_load(value)
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def timed(args: list[str], cwd: Path) -> tuple[dict[str, Any], float, int]:
    """Run a `triage ... --json` command; (its JSON, wall seconds, peak RSS in MB).

    Exit 1 (`triage evaluate`: an auto promise broken) still reports; the JSON says which."""
    stats = cwd / "time.txt"
    cmd = ["/usr/bin/time", "-f", "%e %M", "-o", str(stats), str(TRIAGE), *args, "--json"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise SystemExit(f"{' '.join(args[:1])} failed:\n{done.stderr[-3000:]}")
    wall, rss_kb = stats.read_text().split()[-2:]
    return json.loads(done.stdout), float(wall), int(rss_kb) // 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True, choices=sorted(MAPPINGS))
    parser.add_argument("--data", type=Path, default=None, help="tickets file (sample only)")
    parser.add_argument("--cache", type=Path, default=REPO / ".cache", help=".cache folder to use")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--work", type=Path, default=None, help="keep the run folder here")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    source = SOURCES.get(args.dataset)
    if source is not None and not source.exists():
        print(f"skip: {source} not found (shared data absent)", file=sys.stderr)
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix=f"bench-{args.dataset}-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / ".cache").unlink(missing_ok=True)
    args.cache.mkdir(parents=True, exist_ok=True)
    (work / ".cache").symlink_to(args.cache.resolve())
    train_file, test_file = prepare(args.dataset, work, args.data)
    config = config_file(work, args.overrides)
    mapping = ["--mapping", MAPPINGS[args.dataset]] if MAPPINGS[args.dataset] else []
    load = os.getloadavg()[0]
    run, wall, rss = timed(
        ["train", "--config", str(config), "--data", str(train_file), *mapping], work
    )
    line: dict[str, Any] = {
        "dataset": args.dataset,
        "overrides": args.overrides,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_before": round(load, 2),
        "split": run["split"],
        "in_run_test": run["baselines"],
        "in_run_metrics": run["metrics"],
        "in_run_auto": run.get("auto"),
        "served": run.get("served"),
        "train_wall_s": wall,
        "train_peak_rss_mb": rss,
        "timings_s": run["timings_s"],
    }
    if test_file is not None:
        report, wall, rss = timed(
            ["evaluate", "--model", run["bundle_path"], "--data", str(test_file), *mapping], work
        )
        line["external_test"] = {
            t: {k: v for k, v in r.items() if k != "weak_classes"}
            for t, r in report.items()
            if isinstance(r, dict)
        }
        line["broken_promises"] = report.get("broken_promises")
        line["evaluate_wall_s"] = wall
    line["load_after"] = round(os.getloadavg()[0], 2)
    emit_line(line, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
