"""What issue 10 costs per query and per build, measured in one process (same-run ratios).

Per query: `Retriever.search` for one held-out ticket (the retrieval `Triager.predict`
runs: similar tickets, neighbour votes and KB suggestions from one search per collection), with
the KB votes of the nearest solved tickets as served, and with them switched off (the article's
own relevance only, as before), alternating ticket by ticket over `--rounds` rounds; medians and
p95 in ms, the whole run `--repeats` times and the median of the ratios.
Also `Retriever.kb` alone (`/v1/kb/search`, `triage similar`), which now searches the tickets too.
Per build: `Retriever.build` on the oldest 80% of the tickets (vectors precomputed, so the
embedding of the tickets is not counted) and the part of it spent calibrating the cut-offs.

    .venv/bin/python bench/bench_retrieval_cost.py --data /tmp/sample [--n 300] [--json OUT]
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

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "embeddings"


def timed_build(train: list[Any], articles: list[Any], embedder: Any, vectors: Any) -> Any:
    """Build the retriever; seconds in all and in `_calibrate`."""
    from triage.retrieval import Retriever

    spent: dict[str, float] = {}
    original = Retriever._calibrate

    def calibrate(self: Retriever, *args: Any) -> None:
        start = time.perf_counter()
        original(self, *args)
        spent["calibrate_s"] = time.perf_counter() - start

    Retriever._calibrate = calibrate  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        retriever = Retriever.build(train, articles, embedder, ticket_vectors=vectors)
        spent["build_s"] = time.perf_counter() - start
    finally:
        Retriever._calibrate = original  # type: ignore[method-assign]
    return retriever, {k: round(v, 2) for k, v in spent.items()}


def per_query(retriever: Any, texts: list[str], vectors: Any, rounds: int) -> dict[str, Any]:
    """ms per ticket: search with and without KB votes, kb alone; the variants alternate
    ticket by ticket (in turn first), so load on the machine hits them alike."""
    import triage.retrieval.retriever as module

    served_votes = module.article_votes
    names = ["with votes", "without votes", "kb(3) alone"]
    times: dict[str, list[float]] = {name: [] for name in names}
    calls = {
        "with votes": lambda t, v: retriever.search([t], v[None, :]),
        "without votes": lambda t, v: retriever.search([t], v[None, :]),
        "kb(3) alone": lambda t, v: retriever.kb(t, 3, vector=v),
    }
    retriever.search(texts[:1], vectors[:1])  # builds the TF-IDF matrices once
    for n in range(rounds * len(texts)):
        text, vector = texts[n % len(texts)], vectors[n % len(texts)]
        for name in names[n % 3 :] + names[: n % 3]:
            module.article_votes = _no_votes if name == "without votes" else served_votes
            start = time.perf_counter()
            calls[name](text, vector)
            times[name].append((time.perf_counter() - start) * 1000)
    module.article_votes = served_votes
    out: dict[str, Any] = {k: _stats(v) for k, v in times.items()}
    out["ratio p50 with / without votes"] = round(
        out["with votes"]["p50_ms"] / out["without votes"]["p50_ms"], 3
    )
    return out


def repeated(retriever: Any, texts: list[str], vectors: Any, rounds: int, repeats: int) -> dict:
    """`per_query` `repeats` times: each run's figures and the median ratio (load on a shared
    machine swings single runs either way: 0.58 and 1.9 were both seen)."""
    runs = [per_query(retriever, texts, vectors, rounds) for _ in range(repeats)]
    ratios = [r["ratio p50 with / without votes"] for r in runs]
    return {"runs": runs, "median ratio p50 with / without votes": float(np.median(ratios))}


def _no_votes(neighbours: Any, k: int = 10) -> dict[str, float]:
    return {}


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(float(np.percentile(values, 50)), 3),
        "p95_ms": round(float(np.percentile(values, 95)), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/sample"))
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not (args.data / "tickets.parquet").is_file():
        sys.exit(f"{args.data}: no tickets.parquet; run `triage data generate --out {args.data}`")
    from triage.dataset import read_articles, read_tickets
    from triage.embedding_cache import CachedEmbedder
    from triage.embeddings import load_embedder
    from triage.retrieval.index import set_search_threads

    set_search_threads(1)  # as the service
    embedder = CachedEmbedder(load_embedder(args.embedder), CACHE)
    tickets = sorted(read_tickets(args.data / "tickets.parquet"), key=lambda t: t.created_at)
    cut = int(len(tickets) * 0.8)
    train, test = tickets[:cut], tickets[-args.n :]
    vectors = embedder.encode([t.text for t in train], batch_size=64)
    articles = read_articles(args.data / "kb_articles.parquet")
    retriever, build = timed_build(train, articles, embedder, vectors)
    test_v = embedder.encode([t.text for t in test], batch_size=64)
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_average_before": os.getloadavg(),
        "indexed": len(retriever.tickets),
        "articles": len(retriever.articles),
        "build": build,
        "per_ticket": repeated(
            retriever, [t.text for t in test], test_v, args.rounds, args.repeats
        ),
        "load_average_after": os.getloadavg(),
    }
    emit_report(report, args.json)


if __name__ == "__main__":
    main()
