"""Embedding speed for retrieval: packaged MiniLM (ONNX int8) vs multilingual USE v3, same run.

Texts: `--n` tickets of the generated sample data (Dutch and English, the texts an index holds
and a new ticket brings). Per embedder, interleaved over `--rounds` rounds: texts/s encoding all
of them in batches of 32, and the median / p95 ms of encoding one text alone (what a single
`/v1/triage` request pays). Uncached: every call runs the model.

    .venv/bin/python bench/bench_retrieval_embedders.py --data /tmp/sample [--n 400] [--json OUT]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from results_log import emit_report

SPECS = ("minilm", "use-multilingual")


def batch_rate(embedder: Any, texts: list[str]) -> float:
    start = time.perf_counter()
    embedder.encode(texts, batch_size=32)
    return len(texts) / (time.perf_counter() - start)


def one_text_ms(embedder: Any, texts: list[str]) -> list[float]:
    times = []
    for text in texts:
        start = time.perf_counter()
        embedder.encode([text])
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/sample"))
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not (args.data / "tickets.parquet").is_file():
        sys.exit(f"{args.data}: no tickets.parquet; run `triage data generate --out {args.data}`")
    from triage.dataset import read_tickets
    from triage.embeddings import load_embedder

    tickets = read_tickets(args.data / "tickets.parquet")
    rows = np.random.default_rng(0).permutation(len(tickets))[: args.n]
    texts = [tickets[i].text for i in rows]
    embedders = {spec: load_embedder(spec) for spec in SPECS}
    for embedder in embedders.values():
        embedder.encode(texts[:8])  # load and warm up
    rates: dict[str, list[float]] = {s: [] for s in SPECS}
    single: dict[str, list[float]] = {s: [] for s in SPECS}
    for _ in range(args.rounds):
        for spec, embedder in embedders.items():
            rates[spec].append(batch_rate(embedder, texts))
            single[spec] += one_text_ms(embedder, texts[:100])
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_average": os.getloadavg(),
        "texts": len(texts),
        "embedders": {
            spec: {
                "name": embedders[spec].name,
                "dim": embedders[spec].dim,
                "batch32_texts_per_s_median": round(float(np.median(rates[spec])), 1),
                "one_text_ms_p50": round(float(np.percentile(single[spec], 50)), 2),
                "one_text_ms_p95": round(float(np.percentile(single[spec], 95)), 2),
            }
            for spec in SPECS
        },
    }
    emit_report(report, args.json)


if __name__ == "__main__":
    main()
