"""Embedder speed and agreement: sentence-transformers (torch) vs ONNX int8, same texts.

Texts: it_service_tickets_48k `Document` (short, bag-of-words ~ 30-60 tokens). Reports batch-32
texts/s, one-text p50/p99 latency, the cosine between the two backends' vectors, and the accuracy
of the neighbour vote (majority `Topic_group` of the 10 nearest other tickets, leave-one-out) for
each backend next to the majority-class baseline: does int8 hold for classification evidence?

    .venv/bin/python bench/bench_embedders.py [--texts 2000] [--single 100]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CACHE = Path(os.environ.get("TRIAGE_BENCH_CACHE", "/tmp/triage-bench-cache"))


def measure(embedder: object, texts: list[str], single: int) -> tuple[dict[str, float], np.ndarray]:
    """Batch throughput, single-text latency and the vectors."""
    encode = embedder.encode  # type: ignore[attr-defined]
    encode(texts[:8])  # warm-up (lazy load)
    start = time.perf_counter()
    vectors = encode(texts, batch_size=32)
    rate = len(texts) / (time.perf_counter() - start)
    times = []
    for text in texts[:single]:
        t0 = time.perf_counter()
        encode([text])
        times.append((time.perf_counter() - t0) * 1000)
    stats = {
        "batch32_texts_per_s": round(rate, 1),
        "one_p50_ms": round(float(np.percentile(times, 50)), 2),
        "one_p99_ms": round(float(np.percentile(times, 99)), 2),
    }
    return stats, vectors


def vote_accuracy(vectors: np.ndarray, labels: np.ndarray, k: int = 10) -> float:
    """Leave-one-out accuracy of the majority label among the k nearest other vectors."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    nearest = np.argsort(-sims, axis=1)[:, :k]
    predicted = [pd.Series(labels[row]).value_counts().index[0] for row in nearest]
    return round(float(np.mean(np.asarray(predicted) == labels)), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--single", type=int, default=100)
    parser.add_argument("--onnx-dir", type=Path, default=CACHE / "embedder-onnx")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from triage.embeddings import SentenceTransformerEmbedder
    from triage.onnx_embedder import OnnxEmbedder, export_onnx_int8

    if not (args.onnx_dir / "embedder.json").is_file():
        export_onnx_int8(args.onnx_dir)
    frame = pd.read_csv(SHARED / "it_service_tickets_48k" / "all_tickets_processed_improved_v3.csv")
    sample = frame.sample(args.texts, random_state=0)
    texts, labels = sample["Document"].astype(str).tolist(), sample["Topic_group"].to_numpy()
    torch_stats, a = measure(SentenceTransformerEmbedder(), texts, args.single)
    onnx_stats, b = measure(OnnxEmbedder(args.onnx_dir), texts, args.single)
    cosine = np.sum(a * b, axis=1)
    votes = {"torch": vote_accuracy(a, labels), "onnx_int8": vote_accuracy(b, labels)}
    majority = float(pd.Series(labels).value_counts(normalize=True).iloc[0])
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()} {os.cpu_count()} cores",
                "date": time.strftime("%Y-%m-%d"),
                "texts": len(texts),
                "torch": torch_stats,
                "onnx_int8": onnx_stats,
                "cosine_min": round(float(cosine.min()), 4),
                "cosine_mean": round(float(cosine.mean()), 4),
                "neighbour_vote_accuracy_k10": votes,
                "majority_class_accuracy": round(majority, 4),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
