"""KB suggestion on the generated sample data: hit@1/@3, MRR and the empty-list rate.

Generate the data first (`triage data generate --tickets 20000 --seed 42 --out /tmp/sample`).
Tickets are split by `created_at`: the oldest `--train-fraction` build the `Retriever` (solved
tickets plus all KB articles; its KB threshold is calibrated on the train part only), the newest
are queries. A test ticket WITH a `kb_article_id` asks: is that article among the suggestions?
A test ticket WITHOUT one asks: does `Retriever.kb` return an empty list (the threshold's job)?
The generator leaves `kb_article_id` empty at random within topics that have articles, so those
tickets are not true negatives; 300 hadoop_bugs summaries (Jira bugs, nothing an IT helpdesk KB
answers) serve as out-of-domain queries that should get an empty list.
Dense-only, lexical-only and the hybrid are ranked on the article collection alone in the same
run; "served" is `Retriever.kb`: the hybrid relevance combined with the votes of the 10 nearest
solved tickets that link an article (`triage.retrieval.kb_links`), all articles ranked, no
cut-off; "shown" applies the calibrated floor (strong and weak) and "strong" the strong cut-off.

    .venv/bin/python bench/bench_kb_sample.py [--data /tmp/sample] [--json OUT]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from results_log import emit_report

HADOOP = Path(__file__).resolve().parents[2] / "shared" / "data" / "hadoop_bugs" / "hadoop_bugs.csv"
CACHE = Path(__file__).resolve().parents[1] / ".cache" / "embeddings"
FUSIONS = ("dense", "lexical", "score", "rrf")


def split_by_time(tickets: list, train_fraction: float) -> tuple[list, list]:
    """Oldest `train_fraction` of the tickets, then the rest (by `created_at`)."""
    ordered = sorted(tickets, key=lambda t: t.created_at)
    cut = int(len(ordered) * train_fraction)
    return ordered[:cut], ordered[cut:]


def cached_embedder(spec: str) -> object:
    """The embedder behind the shared on-disk cache (`.cache/embeddings`, by text and model)."""
    from triage.embedding_cache import CachedEmbedder
    from triage.embeddings import load_embedder

    return CachedEmbedder(load_embedder(spec), CACHE)


def article_ranks(retriever: object, queries: list, vectors: np.ndarray, config: object) -> list:
    """1-based rank of each query's own article over ALL articles (no threshold); inf if absent."""
    coll = retriever.articles  # type: ignore[attr-defined]
    ranks = []
    for ticket, vector in zip(queries, vectors, strict=True):
        hits = coll.search(ticket.text, vector, len(coll), config, gate=False)
        found = [h.id for h in hits]
        ranks.append(
            found.index(ticket.kb_article_id) + 1 if ticket.kb_article_id in found else np.inf
        )
    return ranks


def ranking_metrics(ranks: list) -> dict[str, float]:
    """hit@1, hit@3 and MRR from 1-based ranks."""
    r = np.asarray(ranks, dtype=float)
    return {
        "hit@1": round(float(np.mean(r <= 1)), 3),
        "hit@3": round(float(np.mean(r <= 3)), 3),
        "MRR": round(float(np.mean(np.where(np.isfinite(r), 1 / r, 0))), 3),
    }


def served_ranks(retriever: object, queries: list, vectors: np.ndarray) -> list:
    """1-based rank of each query's own article in `Retriever.kb` over all articles, no cut-off."""
    n = len(retriever.articles)  # type: ignore[attr-defined]
    ranks = []
    for ticket, vector in zip(queries, vectors, strict=True):
        found = [a.article_id for a in retriever.kb(ticket.text, n, vector=vector, floor=-np.inf)]  # type: ignore[attr-defined]
        ranks.append(
            found.index(ticket.kb_article_id) + 1 if ticket.kb_article_id in found else np.inf
        )
    return ranks


def gated(
    retriever: object,
    with_kb: list,
    wv: np.ndarray,
    without: list,
    nv: np.ndarray,
    floor: float | None = None,
) -> dict:
    """What the product shows (`Retriever.kb`, k=3, the calibrated floor or `floor`)."""
    shown = [
        retriever.kb(t.text, 3, vector=v, floor=floor) for t, v in zip(with_kb, wv, strict=True)
    ]  # type: ignore[attr-defined]
    empty_neg = [
        not retriever.kb(t.text, 3, vector=v, floor=floor) for t, v in zip(without, nv, strict=True)
    ]  # type: ignore[attr-defined]
    return {
        "with_kb_top1_correct": round(
            float(
                np.mean(
                    [
                        bool(s) and s[0].article_id == t.kb_article_id
                        for s, t in zip(shown, with_kb, strict=True)
                    ]
                )
            ),
            3,
        ),
        "with_kb_in_top3": round(
            float(
                np.mean(
                    [
                        t.kb_article_id in {x.article_id for x in s}
                        for s, t in zip(shown, with_kb, strict=True)
                    ]
                )
            ),
            3,
        ),
        "with_kb_empty_rate": round(float(np.mean([not s for s in shown])), 3),
        "without_kb_empty_rate": round(float(np.mean(empty_neg)), 3),
    }


def out_of_domain(retriever: object, embedder: object, n: int = 300) -> dict[str, float] | None:
    """Empty-list rate of `Retriever.kb` for `n` hadoop_bugs summaries (None without the data)."""
    if not HADOOP.is_file():
        return None
    import pandas as pd

    texts = pd.read_csv(HADOOP)["Summary"].dropna().astype(str).tolist()[:n]
    vectors = embedder.encode(texts)  # type: ignore[attr-defined]
    empty = [not retriever.kb(t, 3, vector=v) for t, v in zip(texts, vectors, strict=True)]  # type: ignore[attr-defined]
    return {"queries": len(texts), "empty_rate": round(float(np.mean(empty)), 3)}


def by_language(queries: list, ranks: list) -> dict[str, dict[str, float]]:
    """Ranking metrics per ticket language."""
    langs = Counter(t.language for t in queries)
    return {
        lang: {
            **ranking_metrics(
                [r for t, r in zip(queries, ranks, strict=True) if t.language == lang]
            ),
            "n": n,
        }
        for lang, n in langs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/sample"))
    parser.add_argument("--train-fraction", type=float, default=0.8)
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not (args.data / "tickets.parquet").is_file():
        sys.exit(
            f"{args.data}: no tickets.parquet; run `triage data generate --tickets 20000 "
            f"--seed 42 --out {args.data}` first"
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from triage.dataset import read_articles, read_tickets
    from triage.retrieval import Retriever

    tickets = read_tickets(args.data / "tickets.parquet")
    articles = read_articles(args.data / "kb_articles.parquet")
    embedder = cached_embedder(args.embedder)
    train, test = split_by_time(tickets, args.train_fraction)
    vectors = embedder.encode([t.text for t in train + test], batch_size=64)  # type: ignore[attr-defined]
    train_v, test_v = vectors[: len(train)], vectors[len(train) :]
    start = time.perf_counter()
    retriever = Retriever.build(train, articles, embedder, ticket_vectors=train_v)  # type: ignore[arg-type]
    build_s = time.perf_counter() - start
    rows_kb = [i for i, t in enumerate(test) if t.kb_article_id]
    rows_no = [i for i, t in enumerate(test) if not t.kb_article_id]
    with_kb, without = [test[i] for i in rows_kb], [test[i] for i in rows_no]
    results = {}
    for fusion in FUSIONS:
        config = replace(retriever.config, fusion=fusion)
        results[fusion] = ranking_metrics(
            article_ranks(retriever, with_kb, test_v[rows_kb], config)
        )
    ranks = served_ranks(retriever, with_kb, test_v[rows_kb])
    results["served (hybrid + ticket votes)"] = ranking_metrics(ranks)
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "embedder": embedder.name,
        "train_tickets": len(train),
        "indexed_solved": len(retriever.tickets),
        "articles": len(retriever.articles),
        "test_with_kb": len(with_kb),
        "test_without_kb": len(without),
        "build_s": round(build_s, 1),
        "ungated_ranking": results,
        "served_by_language": by_language(with_kb, ranks),
        "shown_strong_and_weak": gated(
            retriever, with_kb, test_v[rows_kb], without, test_v[rows_no]
        ),
        "shown_strong_only": gated(
            retriever,
            with_kb,
            test_v[rows_kb],
            without,
            test_v[rows_no],
            retriever.articles.strong_relevance,
        ),
        "out_of_domain_hadoop_summaries": out_of_domain(retriever, embedder),
        "calibration": retriever.calibration,
    }
    emit_report(report, args.json)


if __name__ == "__main__":
    main()
