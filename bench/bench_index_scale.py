"""VectorIndex at scale: build time, memory, search p50/p99 (k=10), HNSW recall@10 against exact.

Vectors are realistic, not random: embeddings of it_service_tickets_48k and hadoop_bugs texts
(cached) by one of the product's embedders (`--embedder minilm`: ONNX int8 MiniLM, 384-dim, the
default; `use-multilingual`: USE v3, 512-dim), resampled with small Gaussian noise (per-dimension
sigma 0.02, cosine about 0.93 to the source for MiniLM) and re-normalised. Queries are fresh noisy
samples. Memory: the serialised index (vectors + graph) and the process's peak RSS.

    .venv/bin/python bench/bench_index_scale.py [--sizes 10000 100000 [1000000]] [--queries 300]
        [--embedder minilm|use-multilingual]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CACHE = Path(os.environ.get("TRIAGE_BENCH_CACHE", "/tmp/triage-bench-cache"))


def index_mb(index: object) -> float:
    """Size of the serialised FAISS index (vectors + graph) in MB."""
    import faiss

    return faiss.serialize_index(index._faiss).nbytes / 1e6  # type: ignore[attr-defined]


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def base_vectors(limit: int, onnx_dir: Path, embedder: str = "minilm") -> np.ndarray:
    """Embeddings of up to `limit` real ticket texts by `embedder` (cached on disk)."""
    path = CACHE / (
        f"scale-base-{limit}.npy" if embedder == "minilm" else f"scale-base-{embedder}-{limit}.npy"
    )
    if path.exists():
        return np.load(path)
    texts = pd.read_csv(
        SHARED / "it_service_tickets_48k" / "all_tickets_processed_improved_v3.csv"
    )["Document"]
    hadoop = pd.read_csv(SHARED / "hadoop_bugs" / "hadoop_bugs.csv")
    texts = pd.concat(
        [hadoop["Summary"].fillna("") + "\n" + hadoop["Description"].fillna("").str[:600], texts]
    )
    texts = texts.astype(str).drop_duplicates().head(limit).tolist()
    vectors = make_embedder(embedder, onnx_dir).encode(texts, batch_size=64)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def make_embedder(spec: str, onnx_dir: Path) -> object:
    """The product's embedder for `spec`: ONNX int8 MiniLM (exported once) or USE v3."""
    if spec == "minilm":
        from triage.onnx_embedder import OnnxEmbedder, export_onnx_int8

        if not (onnx_dir / "embedder.json").is_file():
            export_onnx_int8(onnx_dir)
        return OnnxEmbedder(onnx_dir)
    from triage.embeddings import load_embedder

    return load_embedder(spec)


def resample(base: np.ndarray, n: int, rng: np.random.Generator, sigma: float = 0.02) -> np.ndarray:
    """`n` unit vectors near randomly chosen base vectors."""
    out = base[rng.integers(0, len(base), n)] + rng.normal(0, sigma, (n, base.shape[1])).astype(
        np.float32
    )
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def timed_search(
    index: object, queries: np.ndarray, k: int = 10
) -> tuple[list[list[str]], float, float]:
    """Top-k ids per query (one query per call, as the service does) and p50/p99 latency in ms."""
    times, ids = [], []
    for q in queries:
        start = time.perf_counter()
        hits = index.search(q, k)[0]  # type: ignore[attr-defined]
        times.append((time.perf_counter() - start) * 1000)
        ids.append([h.id for h in hits])
    return ids, float(np.percentile(times, 50)), float(np.percentile(times, 99))


def one_size(n: int, base: np.ndarray, queries: np.ndarray, ef_values: list[int]) -> list[dict]:
    """Flat and HNSW rows for one collection size."""
    from triage.retrieval.index import VectorIndex

    rng = np.random.default_rng(n)
    vectors, ids = resample(base, n, rng), [f"v{i}" for i in range(n)]
    rows, exact = [], None
    for kind in ("flat", "hnsw"):
        gc.collect()
        start = time.perf_counter()
        index = VectorIndex(base.shape[1], kind=kind)
        for chunk in range(0, n, 50_000):
            index.add(ids[chunk : chunk + 50_000], vectors[chunk : chunk + 50_000])
        build = time.perf_counter() - start
        memory = index_mb(index)
        for ef in ef_values if kind == "hnsw" else [0]:
            index.ef_search = ef or index.ef_search
            found, p50, p99 = timed_search(index, queries)
            if kind == "flat":
                exact = found
            recall = np.mean(
                [len(set(a) & set(b)) / 10 for a, b in zip(found, exact or found, strict=True)]
            )
            rows.append(
                {
                    "n": n,
                    "kind": kind,
                    "ef_search": ef or None,
                    "build_s": round(build, 2),
                    "index_mb": round(memory, 1),
                    "p50_ms": round(p50, 3),
                    "p99_ms": round(p99, 3),
                    "recall@10": round(float(recall), 4),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
        del index
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--base", type=int, default=12_000, help="real texts to embed as bases")
    parser.add_argument("--ef", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--onnx-dir", type=Path, default=CACHE / "embedder-onnx")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1, help="FAISS OpenMP threads")
    parser.add_argument("--embedder", choices=["minilm", "use-multilingual"], default="minilm")
    args = parser.parse_args()
    import faiss

    # One query at a time gains nothing from OpenMP on 2 shared cores and suffers badly from
    # oversubscription; the service should do the same (faiss.omp_set_num_threads(1)).
    faiss.omp_set_num_threads(args.threads)
    base = base_vectors(args.base, args.onnx_dir, args.embedder)
    queries = resample(base, args.queries, np.random.default_rng(7))
    rows = [row for n in args.sizes for row in one_size(n, base, queries, args.ef)]
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
        "embedder": args.embedder,
        "dim": int(base.shape[1]),
        "base_texts": len(base),
        "faiss_threads": args.threads,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rows": rows,
    }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
