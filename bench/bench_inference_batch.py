"""In-process cost of a micro-batch: embedding padding, `predict_many`, online index growth.

    TRIAGE_EMBEDDER_ONNX=models/embedder-onnx .venv/bin/python bench/bench_inference_batch.py \
        --bundle models/default --tickets data/sample/tickets.parquet

Measures, on the latest `--n` tickets of the file (the held-out period), each in the same process:
1. the bundle's embedder over calls of 32 tickets in arrival order, with the embedder's batch size
   (at most that many texts per onnxruntime call, grouped by token count: `plan_batches`) 32 or
   8, next to the whole set in one call (the best case);
2. `Triager.predict_many` tickets/s for calls of 1, 8 and 32 tickets, next to the embedding alone;
3. the ticket index's TF-IDF signal: a query on a freshly loaded index (builds the matrix), a
   query right after one online add, and a query with no change.
Every figure is the best of `--rounds` interleaved rounds. Prints one JSON report.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

from results_log import emit_report


def best_rate(n: int, run: Callable[[], object], rounds: int) -> float:
    """Items per second of `run` (which handles `n` items), best of `rounds`."""
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        best = max(best, n / (time.perf_counter() - start))
    return round(best, 1)


def in_calls(fn: Callable[[list], object], items: list, size: int) -> Callable[[], None]:
    def run() -> None:
        for i in range(0, len(items), size):
            fn(items[i : i + size])

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--tickets", type=Path, required=True)
    parser.add_argument("--n", type=int, default=640)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from triage.dataset import read_tickets
    from triage.retrieval.index import set_search_threads
    from triage.schema import Ticket
    from triage.triager import Triager

    set_search_threads(1)  # as the service's inference thread
    triager = Triager.load(args.bundle)
    tickets = read_tickets(args.tickets)[-args.n :]
    queries = [
        Ticket(ticket_id=f"q{i}", subject=t.subject, body=t.body) for i, t in enumerate(tickets)
    ]
    texts = [t.text for t in queries]
    embedder = triager.embedder
    assert embedder is not None, "the bundle has no embedder"
    triager.predict_many(queries[:32])  # warm-up

    r = args.rounds
    embedding = {
        "calls_of_32_batch_32": best_rate(
            len(texts), in_calls(lambda c: embedder.encode(c, batch_size=32), texts, 32), r
        ),
        "calls_of_32_batch_8": best_rate(
            len(texts), in_calls(lambda c: embedder.encode(c, batch_size=8), texts, 32), r
        ),
        "one_sorted_call_batch_8": best_rate(
            len(texts), lambda: embedder.encode(texts, batch_size=8), r
        ),
    }
    predict = {
        f"calls_of_{size}": best_rate(
            len(queries), in_calls(triager.predict_many, queries, size), r
        )
        for size in (1, 8, 32)
    }

    retriever = triager.retriever
    tfidf: dict[str, object] = {}
    if retriever is not None:
        lexical = retriever.tickets.lexical
        lexical._cosine = None  # as just loaded: the first query builds the matrix
        start = time.perf_counter()
        lexical.cosine_scores(texts[0])
        tfidf["first_query_s"] = round(time.perf_counter() - start, 4)
        lexical.add(["bench-new"], [texts[1]])
        start = time.perf_counter()
        lexical.cosine_scores(texts[2])
        tfidf["query_after_one_add_s"] = round(time.perf_counter() - start, 4)
        start = time.perf_counter()
        lexical.cosine_scores(texts[3])
        tfidf["query_unchanged_s"] = round(time.perf_counter() - start, 4)
        tfidf["documents"] = len(lexical)

    emit_report(
        {
            "bundle": str(args.bundle),
            "tickets": len(queries),
            "rounds": r,
            "load_avg_1m": round(os.getloadavg()[0], 2),
            "embedding_texts_per_s": embedding,
            "predict_many_tickets_per_s": predict,
            "tfidf": tfidf,
        },
        args.json,
    )


if __name__ == "__main__":
    main()
