"""Candidate new categories, measured as served: train the default config with `triage train`
on the sample minus one category, then `triage report kpi --model BUNDLE` on the latest known
tickets (the time split's test part) plus every ticket of the left-out category.

    TRIAGE_EMBEDDER_ONNX=$PWD/models/embedder-onnx \\
        .venv/bin/python bench/bench_new_categories.py --categories email,security

Per left-out category it prints one JSON line: per recorded category of the reported tickets,
the shares `auto`, unsure and `never_auto` (the bundle's own classification, the code
`--model` uses); each cluster's recorded category, tickets, unsure and review shares; the
candidates under the served rule (unsure share >= 0.5, not mixed) and under the old one
(review share >= 0.5); the left-out category's clustered tickets inside candidates (recall)
and the known categories' clusters flagged (false candidates). The rule's 0.5 was not tuned: it
is "mostly". Each run trains in a fresh folder (about 4-5 min on 2 cores with a warm embedding
cache, `.cache/embeddings` linked in).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from results_log import emit_line

ROOT = Path(__file__).resolve().parents[1]
TRIAGE = ROOT / ".venv" / "bin" / "triage"
RULE = 0.5


def _split(sample: Path, category: str, known_tail: int, out: Path) -> tuple[Path, Path]:
    from triage.dataset import read_tickets, write_tickets

    tickets = read_tickets(sample)
    known = [t for t in tickets if t.category != category]
    known.sort(key=lambda t: t.created_at or datetime.min.replace(tzinfo=UTC))
    new = [t for t in tickets if t.category == category]
    train = write_tickets(known, out / "known.parquet")
    report = write_tickets(known[-known_tail:] + new, out / "mixed.parquet")
    return train, report


def _run(args: list[str], cwd: Path) -> dict[str, Any]:
    env = {**os.environ}
    env.setdefault("TRIAGE_EMBEDDER_ONNX", str(ROOT / "models" / "embedder-onnx"))
    done = subprocess.run(
        [str(TRIAGE), *args, "--json"], cwd=cwd, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"triage {args[0]} failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout))


def _outcomes(tickets_file: Path, bundle: Path) -> dict[str, list[float]]:
    """Per recorded category: [tickets, auto share, unsure share, never_auto share]."""
    from collections import Counter, defaultdict

    from triage.insight.sources import bundle_classifier
    from triage.insight.table import from_parquet
    from triage.triager import Triager

    table = from_parquet(tickets_file)
    outcomes = bundle_classifier(Triager.load(bundle))(table)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for category, (action, reason) in zip(table["category"], outcomes, strict=True):
        kind = "auto" if action == "auto" else "never" if reason == "never_auto" else "unsure"
        counts[str(category)][kind] += 1
    out = {}
    for category, c in sorted(counts.items()):
        n = sum(c.values())
        out[category] = [n, *(round(c[k] / n, 3) for k in ("auto", "unsure", "never"))]
    return out


def measure(sample: Path, category: str, known_tail: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newcat-") as tmp:
        folder = Path(tmp)
        (folder / ".cache").symlink_to(ROOT / ".cache")
        train_file, report_file = _split(sample, category, known_tail, folder)
        config = str(ROOT / "training" / "configs" / "default.yaml")
        trained = _run(["train", "--config", config, "--data", str(train_file)], folder)
        out = folder / "report.json"
        _run(
            ["report", "kpi", "--data", str(report_file), "--model", trained["bundle_path"],
             "--format", "json", "--out", str(out)],
            folder,
        )  # fmt: skip
        report = json.loads(out.read_text())
        per_category = _outcomes(report_file, Path(trained["bundle_path"]))
    clusters = report["clusters"]["items"]
    served = {c["cluster"] for c in report["new_categories"]["items"]}
    old = {c["cluster"] for c in clusters if (c["review_share"] or 0) >= RULE}
    new = [c for c in clusters if c["category"] == category]
    known = [c for c in clusters if c["category"] != category]
    found = sum(c["tickets"] for c in new if c["cluster"] in served)
    return {
        "bench": "new_categories",
        "left_out": category,
        "per_category": per_category,
        "clusters": [
            [c["category"], c["tickets"], c["unsure_share"], c["review_share"]] for c in clusters
        ],
        "candidates": len(served),
        "candidates_left_out": sum(c["cluster"] in served for c in new),
        "left_out_clusters": len(new),
        "recall_tickets": round(found / max(sum(c["tickets"] for c in new), 1), 3),
        "false_candidates": sorted(c["category"] for c in known if c["cluster"] in served),
        "old_rule_candidates": len(old),
        "max_known_unsure": max((c["unsure_share"] for c in known), default=None),
        "min_left_out_unsure": min((c["unsure_share"] for c in new), default=None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=Path, default=ROOT / "data/sample/tickets.parquet")
    parser.add_argument("--categories", default="email,security")
    parser.add_argument("--known", type=int, default=3000, help="latest known tickets reported")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    for category in args.categories.split(","):
        emit_line(measure(args.sample, category, args.known), args.out)


if __name__ == "__main__":
    main()
