"""Duplicate retrieval on hadoop_bugs: BM25, TF-IDF, dense (torch, ONNX int8), hybrid; one run.

Index all 2,503 issues; each of the 126 rows of `hadoop_bugs-combined.csv` (127 duplicate ids)
queries with its `Duplicate id` (excluded from its own results) and looks for its `Issue id`.
Reports Recall@1/5/10 and MRR. Fusion parameters are tuned only by 5-fold cross-validation
grouped by unordered pair (both directions of a pair in the same fold): each query is scored with
parameters chosen on the other folds. The authors' train/test split is not used for tuning: 19 of
its 24 test pairs appear in train in the other direction.

    .venv/bin/python bench/bench_retrieval_hadoop.py [--onnx-dir DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from results_log import emit_report

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "hadoop_bugs"
CACHE = Path(os.environ.get("TRIAGE_BENCH_CACHE", "/tmp/triage-bench-cache"))
KS = (1, 5, 10)


def load(data: Path) -> tuple[list[str], list[str], list[str], list[tuple[str, str]]]:
    """Issue ids, full texts (summary + description), summaries, (query, target) pairs."""
    issues = pd.read_csv(data / "hadoop_bugs.csv", dtype={"Issue id": str})
    summary = issues["Summary"].fillna("").astype(str)
    desc = (
        issues["Description"].fillna("").astype(str).str.replace("\r", "").str.replace("\xa0", " ")
    )
    texts = (summary + "\n" + desc).str.strip().tolist()
    pairs = pd.read_csv(data / "hadoop_bugs-combined.csv", dtype=str)
    # One row lists two duplicates ("13547000, 13396667"): each becomes its own query (127 in all).
    query_target = [
        (d.strip(), issue)
        for issue, dups in zip(pairs["Issue id"], pairs["Duplicate id"], strict=True)
        for d in dups.split(",")
    ]
    return issues["Issue id"].tolist(), texts, summary.tolist(), query_target


def embed(name: str, embedder: object, texts: list[str]) -> tuple[np.ndarray, float]:
    """Vectors (cached on disk by embedder name) and texts/s when computed."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"hadoop-{name}-{len(texts)}.npy"
    if path.exists():
        return np.load(path), float("nan")
    start = time.perf_counter()
    vectors = embedder.encode(texts, batch_size=32)  # type: ignore[attr-defined]
    rate = len(texts) / (time.perf_counter() - start)
    np.save(path, vectors)
    return vectors, rate


def tfidf_scores(texts: list[str]) -> np.ndarray:
    """Cosine of word 1-2-gram TF-IDF (sublinear tf), all against all: (n, n)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1).fit_transform(texts)
    return (matrix @ matrix.T).toarray().astype(np.float32)


def bm25_scores(texts: list[str], queries: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw BM25, relative BM25 and the library's TF-IDF cosine (triage tokens) of each query
    row's text against all documents: three (len(queries), n) matrices."""
    from triage.retrieval.lexical import BM25Index

    index = BM25Index()
    index.add([str(i) for i in range(len(texts))], texts)
    raw = np.vstack([index.scores(texts[q])[1] for q in queries])
    relative = np.vstack([index.relative_scores(texts[q])[1] for q in queries])
    cosine = np.vstack([index.cosine_scores(texts[q])[1] for q in queries])
    return raw, relative, cosine


def metrics(ranks: np.ndarray) -> dict[str, float]:
    """Recall@k and MRR from 1-based ranks of the target (inf when absent)."""
    out = {f"R@{k}": float(np.mean(ranks <= k)) for k in KS}
    out["MRR"] = float(np.mean(np.where(np.isfinite(ranks), 1.0 / ranks, 0.0)))
    return out


def target_ranks(scores: np.ndarray, queries: list[int], targets: list[int]) -> np.ndarray:
    """1-based rank of each target in its query's row, the query itself excluded; documents
    tied with the target count as ranked above it (pessimistic: the product breaks ties
    arbitrarily, and two hadoop queries have exact ties)."""
    ranks = np.empty(len(queries))
    for row, (q, t) in enumerate(zip(queries, targets, strict=True)):
        s = scores[row].astype(np.float64).copy()
        s[q] = -np.inf
        ranks[row] = np.sum(s >= s[t])
    return ranks


def rrf(dense: np.ndarray, lexical: np.ndarray, w_lex: float, k: int = 60) -> np.ndarray:
    """Row-wise reciprocal rank fusion of two (m, n) score matrices."""

    def rank_of(m: np.ndarray) -> np.ndarray:
        order = np.argsort(-m, axis=1, kind="stable")
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(1, m.shape[1] + 1)[None, :], axis=1)
        return ranks

    return 1.0 / (k + rank_of(dense)) + w_lex / (k + rank_of(lexical))


def fused(dense: np.ndarray, lexical: np.ndarray, alpha: float) -> np.ndarray:
    """The library's bounded relevance score, (1 - alpha) cos + alpha relative-BM25."""
    return (1 - alpha) * dense + alpha * lexical


GRIDS = {
    "rrf": [{"w_lex": w} for w in (0.5, 0.75, 1.0, 1.5, 2.0, 3.0)],
    "score": [{"alpha": a} for a in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)],
}


def scorer(kind: str, dense: np.ndarray, lexical: np.ndarray, p: dict[str, float]) -> np.ndarray:
    """Fused score matrix for one parameter set."""
    return rrf(dense, lexical, p["w_lex"]) if kind == "rrf" else fused(dense, lexical, p["alpha"])


def cross_validate(
    kind: str,
    dense: np.ndarray,
    lexical: np.ndarray,
    queries: list[int],
    targets: list[int],
    groups: list[int],
    folds: int = 5,
) -> tuple[np.ndarray, list[dict]]:
    """Out-of-fold ranks: per fold, the grid point with the best MRR on the other folds."""
    ranks_by_param = [
        target_ranks(scorer(kind, dense, lexical, p), queries, targets) for p in GRIDS[kind]
    ]
    fold_of = np.asarray(groups) % folds
    out, chosen = np.empty(len(queries)), []
    for fold in range(folds):
        train, test = fold_of != fold, fold_of == fold
        mrr = [metrics(r[train])["MRR"] for r in ranks_by_param]
        best = int(np.argmax(mrr))
        chosen.append(GRIDS[kind][best])
        out[test] = ranks_by_param[best][test]
    return out, chosen


def cross_validate_lexical(
    dense: np.ndarray,
    lexicals: dict[str, np.ndarray],
    queries: list[int],
    targets: list[int],
    groups: list[int],
    folds: int = 5,
) -> tuple[np.ndarray, list[dict]]:
    """Out-of-fold ranks when the lexical signal AND alpha are chosen per fold (score fusion)."""
    grid = [(name, p) for name in lexicals for p in GRIDS["score"]]
    ranks_by_param = [
        target_ranks(fused(dense, lexicals[name], p["alpha"]), queries, targets) for name, p in grid
    ]
    fold_of = np.asarray(groups) % folds
    out, chosen = np.empty(len(queries)), []
    for fold in range(folds):
        train, test = fold_of != fold, fold_of == fold
        best = int(np.argmax([metrics(r[train])["MRR"] for r in ranks_by_param]))
        chosen.append({"lexical": grid[best][0], **grid[best][1]})
        out[test] = ranks_by_param[best][test]
    return out, chosen


def library_ranks(
    ids: list[str],
    texts: list[str],
    vectors: np.ndarray,
    queries: list[int],
    targets: list[int],
    config: object,
) -> np.ndarray:
    """Ranks from the product code path (`Collection.search`), to check it matches the numpy one."""
    from triage.retrieval.collection import Collection

    coll = Collection.empty(vectors.shape[1], config)  # type: ignore[arg-type]
    coll.add(ids, texts, vectors, [{} for _ in ids])
    ranks = np.full(len(queries), np.inf)
    for row, (q, t) in enumerate(zip(queries, targets, strict=True)):
        hits = coll.search(
            texts[q], vectors[q], 10, config, exclude=frozenset({ids[q]}), gate=False
        )  # type: ignore[arg-type]
        found = [h.id for h in hits]
        if ids[t] in found:
            ranks[row] = found.index(ids[t]) + 1
    return ranks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--onnx-dir", type=Path, default=Path("/tmp/triage-bench-cache/embedder-onnx")
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not (args.data / "hadoop_bugs.csv").is_file():
        sys.exit(f"{args.data}: hadoop_bugs not found; this benchmark needs ../shared/data")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ids, texts, _summaries, pairs = load(args.data)
    pos = {i: n for n, i in enumerate(ids)}
    queries = [pos[q] for q, _ in pairs]
    targets = [pos[t] for _, t in pairs]
    pair_key = {frozenset(p): n for n, p in enumerate(dict.fromkeys(frozenset(p) for p in pairs))}
    groups = [pair_key[frozenset(p)] for p in pairs]

    from triage.embeddings import SentenceTransformerEmbedder
    from triage.onnx_embedder import OnnxEmbedder, export_onnx_int8

    if not (args.onnx_dir / "embedder.json").is_file():
        export_onnx_int8(args.onnx_dir)
    vecs, rates = {}, {}
    vecs["torch"], rates["torch"] = embed("minilm-torch", SentenceTransformerEmbedder(), texts)
    vecs["onnx"], rates["onnx"] = embed("minilm-onnx-int8", OnnxEmbedder(args.onnx_dir), texts)

    results: dict[str, dict] = {}
    lexical_raw, lexical, cosine = bm25_scores(texts, queries)
    results["BM25"] = metrics(target_ranks(lexical_raw, queries, targets))
    results["TF-IDF"] = metrics(target_ranks(tfidf_scores(texts)[queries], queries, targets))
    results["TF-IDF triage tokens"] = metrics(target_ranks(cosine, queries, targets))
    for name, v in vecs.items():
        dense = v[queries] @ v.T
        results[f"dense MiniLM {name}"] = metrics(target_ranks(dense, queries, targets))
        results[f"hybrid RRF default (w=1) {name}"] = metrics(
            target_ranks(rrf(dense, lexical, 1.0), queries, targets)
        )
        for kind in ("rrf", "score"):
            ranks, chosen = cross_validate(kind, dense, lexical, queries, targets, groups)
            results[f"hybrid {kind} CV-tuned {name}"] = {**metrics(ranks), "chosen": chosen}
        ranks, chosen = cross_validate("score", dense, cosine, queries, targets, groups)
        results[f"hybrid score TF-IDF-tokens CV-tuned {name}"] = {
            **metrics(ranks),
            "chosen": chosen,
        }
        ranks, chosen = cross_validate_lexical(
            dense, {"bm25": lexical, "tfidf": cosine}, queries, targets, groups
        )
        results[f"hybrid score, lexical signal and alpha CV-chosen {name}"] = {
            **metrics(ranks),
            "chosen": chosen,
        }

    from triage.retrieval.config import RetrievalConfig

    config = RetrievalConfig()
    previous = RetrievalConfig(lexical="bm25", alpha=0.8)
    for name, v in vecs.items():
        results[f"triage Collection.search (previous defaults: bm25, alpha 0.8) {name}"] = metrics(
            library_ranks(ids, texts, v, queries, targets, previous)
        )
        # The product code path with its defaults (equal weights since issue 10); the cut-offs
        # are measured as served by bench_retrieval_served.py.
        results[
            f"triage Collection.search ({config.fusion}, {config.lexical}, defaults) {name}"
        ] = metrics(library_ranks(ids, texts, v, queries, targets, config))
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "queries": len(queries),
        "documents": len(ids),
        "unordered_pairs": len(pair_key),
        "encode_texts_per_s": rates,
        "results": results,
    }
    emit_report(report, args.json)


if __name__ == "__main__":
    main()
