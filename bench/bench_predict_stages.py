"""Where `Triager.predict_many`'s time goes, stage by stage, without a profiler's overhead.

    TRIAGE_EMBEDDER_ONNX=models/embedder-onnx .venv/bin/python bench/bench_predict_stages.py \\
        --bundle models/default --tickets data/sample/tickets.parquet

Loads the bundle as the service does (one FAISS thread), takes the latest `--n` tickets of the
file (the held-out period), and per round reports:
- the embedding alone: all tickets in one call at batch 8 (the bench_service ceiling's best
  case: every text sorted by length across the whole set) and in calls of 32 (what
  `predict_many` in calls of 32 embeds, sorted within each call only);
- `predict_many` in calls of 32, and the same with the vectors given (everything but the
  embedding);
- the non-embedding stages one by one (ms per ticket): the votes' neighbour search, the
  classifier features, the vote shares, the text model, the classifiers, the links, the
  familiarity guard, the retrieval (similar tickets, KB articles, votes) and the results.
Read it for what bounds `predict_many / ceiling` (issue 15 item 3): the embedding in calls of 32
against the ceiling, and what the other stages add.

`--overlap N` adds a trial that is not the product's code: each call of 32, sorted by length, in
sub-batches of N, the next sub-batch embedded on a thread while `predict_many` (vectors given)
runs on this one: does overlapping the embedding with the rest help on 2 cores?
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--tickets", type=Path, required=True)
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--overlap", type=int, default=0, help="Sub-batch size (0: no trial).")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from triage.dataset import read_tickets
    from triage.retrieval.index import set_search_threads
    from triage.schema import Ticket
    from triage.triager import Triager

    set_search_threads(1)
    triager = Triager.load(args.bundle)
    embedder = triager.embedder
    assert embedder is not None, "the bundle has no embedder"
    tickets = [
        Ticket(ticket_id=f"q{i}", subject=t.subject, body=t.body)
        for i, t in enumerate(read_tickets(args.tickets)[-args.n :])
    ]
    texts = [t.text for t in tickets]
    calls = [tickets[i : i + 32] for i in range(0, len(tickets), 32)]
    triager.predict_many(calls[0])  # warm-up (builds the TF-IDF matrix)
    vectors = [triager.embed([t.text for t in call]) for call in calls]
    n = len(tickets)

    def rate(run: Callable[[], object]) -> float:
        start = time.perf_counter()
        run()
        return n / (time.perf_counter() - start)

    ahead = ThreadPoolExecutor(1, "embed-ahead")
    for _ in range(args.rounds):
        rates = {
            "embed_all_batch8 (ceiling)": rate(lambda: embedder.encode(texts, batch_size=8)),
            "embed_calls_of_32": rate(lambda: [triager.embed([t.text for t in c]) for c in calls]),
            "predict_many_calls_of_32": rate(lambda: [triager.predict_many(c) for c in calls]),
            "predict_many_vectors_given": rate(
                lambda: [
                    triager.predict_many(c, vectors=v) for c, v in zip(calls, vectors, strict=True)
                ]
            ),
        }
        if args.overlap:
            rates[f"overlapped_{args.overlap}"] = rate(
                lambda: [_overlapped(triager, c, args.overlap, ahead) for c in calls]
            )
        spent = _stages(triager, calls, vectors)
        ceiling = rates["embed_all_batch8 (ceiling)"]
        print(
            " ".join(f"{k}={v:.1f}/s" for k, v in rates.items()),
            f"| embed_calls_of_32/ceiling={rates['embed_calls_of_32'] / ceiling:.2f}",
            f"predict_many/ceiling={rates['predict_many_calls_of_32'] / ceiling:.2f}",
            *(
                [f"overlapped/ceiling={rates[f'overlapped_{args.overlap}'] / ceiling:.2f}"]
                if args.overlap
                else []
            ),
        )
        stages = " ".join(f"{k}={1000 * s / n:.2f}" for k, s in spent.items())
        total = 1000 * sum(spent.values()) / n
        print(f"  ms per ticket: {stages} | total {total:.2f} (load {os.getloadavg()[0]:.1f})")


def _overlapped(triager: Any, call: list[Any], size: int, pool: Executor) -> list[Any]:
    """`predict_many(call)` in sub-batches of `size` (sorted by text length), each next
    sub-batch embedded on `pool` while this one is triaged; results in the call's order."""
    order = sorted(range(len(call)), key=lambda i: len(call[i].text))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    out: list[Any] = [None] * len(call)
    pending = pool.submit(triager.embed, [call[i].text for i in groups[0]])
    for j, group in enumerate(groups):
        vectors = pending.result()
        if j + 1 < len(groups):
            pending = pool.submit(triager.embed, [call[i].text for i in groups[j + 1]])
        results = triager.predict_many([call[i] for i in group], vectors=vectors)
        for i, result in zip(group, results, strict=True):
            out[i] = result
    return out


def _stages(triager: Any, calls: list[Any], vectors: list[Any]) -> dict[str, float]:
    """Seconds per stage over all calls: `predict_many`'s work after the embedding, one stage
    at a time (as `Triager.predict_many` and `TriageModel.predict_proba` run them)."""
    from triage.features import feature_input

    model, spent = triager.model, dict.fromkeys(STAGES, 0.0)
    for call, vecs in zip(calls, vectors, strict=True):
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            spent[name] += now - clock
            clock = now

        data = feature_input(call, vecs)
        clock = time.perf_counter()
        found = model.search(data)
        lap("votes_search")
        features = model.featurizer.transform(data)
        lap("features")
        votes = model.votes(data, found)
        lap("vote_shares")
        text = model.text_logs(data)
        lap("text_model")
        proba = {
            t: c.predict_proba(features, votes[t], text[t]) for t, c in model.classifiers.items()
        }
        lap("classifiers")
        proba = model.link(proba)
        lap("links")
        unfamiliar = model.unfamiliar(data, found)
        lap("guard")
        triager._retrieve_many([t.text for t in call], vecs, 5, 3)
        lap("retrieval")
        [model.predictions(proba, i, unfamiliar[i]) for i in range(len(call))]
        lap("results")
    return spent


STAGES = (
    "votes_search",
    "features",
    "vote_shares",
    "text_model",
    "classifiers",
    "links",
    "guard",
    "retrieval",
    "results",
)


if __name__ == "__main__":
    main()
