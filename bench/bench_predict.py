"""In-process breakdown of one `Triager.predict`, and a before/after check that predictions match.

Times every stage of the single-ticket path on held-out tickets (the latest `--n` of the file,
which a time split keeps out of training): embedding, TF-IDF word and char transforms, the whole
feature matrix, the classifiers' scores, calibration + consistency links + policy, retrieval
(similar tickets, KB, neighbour votes, and similar + votes from the one search `predict` runs;
inside them BM25 and FAISS), the SQLite write of the prediction, and `Triager.predict` end to
end. Medians and p95 in ms. `--lexical tfidf|bm25` overrides the bundle's lexical signal.

    .venv/bin/python bench/bench_predict.py --bundle /tmp/h7/bundle --tickets T.parquet --n 200
    .venv/bin/python bench/bench_predict.py ... --dump before.json    # labels + probabilities
    .venv/bin/python bench/bench_predict.py ... --compare before.json # identical within 1e-6?
    .venv/bin/python bench/bench_predict.py ... --profile out.html    # pyinstrument, not a dep
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from triage.dataset import read_tickets
from triage.features import feature_input
from triage.schema import Ticket
from triage.triager import Triager


def held_out(path: Path, n: int) -> list[Ticket]:
    """The `n` latest tickets of the file (the test period of a time split)."""
    tickets = read_tickets(path)
    tickets.sort(key=lambda t: (t.created_at is None, t.created_at))
    return tickets[-n:]


def timed(times: dict[str, list[float]], name: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    out = fn()
    times[name].append((time.perf_counter() - start) * 1000)
    return out


def _stages(triager: Triager, ticket: Ticket, store: Any, times: dict[str, list[float]]) -> None:
    model, feat, text = triager.model, triager.model.featurizer, ticket.text
    vec = timed(times, "embed (1 text)", lambda: triager.embedder.encode([text]))  # type: ignore[union-attr]
    if feat.word_ is not None:
        timed(times, "tfidf word", lambda: feat.word_.transform([text]))  # type: ignore[attr-defined]
    if feat.char_ is not None:
        timed(times, "tfidf char", lambda: feat.char_.transform([text]))  # type: ignore[attr-defined]
    data = feature_input([ticket], vec)
    X = timed(times, "features total", lambda: feat.transform(data))
    for target, clf in model.classifiers.items():
        timed(times, f"scores {target}", lambda c=clf: c.decision_function(X))  # type: ignore[misc]
    proba = timed(
        times,
        "predict_proba (features+scores+calibration+links)",
        lambda: model.predict_proba(data),
    )
    timed(times, "policy (predictions)", lambda: model.predictions(proba, 0))
    if getattr(model, "familiarity", None) is not None:
        timed(
            times,
            "familiarity guard (nearest training ticket, known words)",
            lambda: model.unfamiliar(data),
        )
    if triager.retriever is not None:
        _retrieval_stages(triager, text, vec[0], times)
    timed(times, "predict end to end", lambda: triager.predict(ticket))
    if store is not None:
        _db_stage(triager, ticket, store, times)


def _retrieval_stages(triager: Triager, text: str, vec: Any, times: dict[str, list[float]]) -> None:
    r = triager.retriever
    timed(times, "retrieval similar(5)", lambda: r.similar(text, 5, vector=vec))
    timed(times, "retrieval kb(3)", lambda: r.kb(text, 3, vector=vec))
    timed(
        times,
        "retrieval votes(10)",
        lambda: r.neighbour_votes(text, triager.targets, 10, vector=vec),
    )
    timed(
        times,
        "retrieval search: similar(5) + votes(10) + kb(3) (what predict runs)",
        lambda: r.search([text], vec[None, :], targets=triager.targets),
    )
    timed(times, "  tickets BM25 relative_scores", lambda: r.tickets.lexical.relative_scores(text))
    timed(times, "  tickets FAISS search(50)", lambda: r.tickets.dense.search(vec, 50))
    timed(times, "  kb BM25 relative_scores", lambda: r.articles.lexical.relative_scores(text))


def _db_stage(triager: Triager, ticket: Ticket, store: Any, times: dict[str, list[float]]) -> None:
    from triage.store.records import PredictionRecord

    labels = {"category": {"label": "x", "confidence": 0.5, "action": "suggest"}}
    record = PredictionRecord(uuid.uuid4().hex, ticket, triager.version, labels)
    timed(times, "DB write (1 prediction, commit)", lambda: store.record_predictions([record]))


def breakdown(triager: Triager, tickets: list[Ticket], db: bool) -> dict[str, dict[str, float]]:
    """Median and p95 ms per stage over `tickets` (after three warm-up tickets)."""
    store = None
    if db:
        from triage.store.sql import open_store

        store = open_store(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    times: dict[str, list[float]] = defaultdict(list)
    for ticket in tickets[:3]:
        _stages(triager, ticket, store, defaultdict(list))
    for ticket in tickets:
        _stages(triager, ticket, store, times)
    return {
        name: {
            "p50_ms": round(statistics.median(v), 3),
            "p95_ms": round(float(np.percentile(v, 95)), 3),
        }
        for name, v in times.items()
    }


def snapshot(triager: Triager, tickets: list[Ticket]) -> list[dict[str, Any]]:
    """Per ticket: full probabilities per target, labels, actions, similar / KB ids and votes."""
    vectors = triager.embed([t.text for t in tickets])
    proba = triager.model.predict_proba(feature_input(tickets, vectors))
    out = []
    for i, ticket in enumerate(tickets):
        result = triager.predict(ticket)
        out.append(
            {
                "ticket_id": ticket.ticket_id,
                "proba": {t: p[i].tolist() for t, p in proba.items()},
                "labels": {t: p.label for t, p in result.predictions.items()},
                "confidence": {t: p.confidence for t, p in result.predictions.items()},
                "actions": {t: p.action.value for t, p in result.predictions.items()},
                "similar": [s.ticket_id for s in result.similar],
                "kb": [k.article_id for k in result.kb],
                "evidence": [[v.target, v.label, v.count] for v in result.evidence],
            }
        )
    return out


def compare(
    before: list[dict[str, Any]], after: list[dict[str, Any]], tol: float
) -> dict[str, Any]:
    """Count of tickets whose labels/actions/ids differ, and the largest probability difference."""
    diff = 0.0
    mismatched: defaultdict[str, int] = defaultdict(int)
    for b, a in zip(before, after, strict=True):
        for key in ("ticket_id", "labels", "actions", "similar", "kb", "evidence"):
            mismatched[key] += int(b[key] != a[key])
        for target, p in b["proba"].items():
            diff = max(diff, float(np.max(np.abs(np.asarray(p) - np.asarray(a["proba"][target])))))
        for target, c in b["confidence"].items():
            diff = max(diff, abs(c - a["confidence"][target]))
    return {
        "tickets": len(before),
        "mismatches": dict(mismatched),
        "max_abs_proba_diff": diff,
        "identical": diff <= tol and not any(mismatched.values()),
    }


def profile(triager: Triager, tickets: list[Ticket], out: Path) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        for ticket in tickets:
            triager.predict(ticket)
    out.write_text(profiler.output_html())
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--tickets", type=Path, required=True)
    parser.add_argument("--n", type=int, default=200, help="held-out tickets to time")
    parser.add_argument("--no-db", action="store_true", help="skip the SQLite write stage")
    parser.add_argument("--dump", type=Path, help="write a prediction snapshot (--check-n tickets)")
    parser.add_argument("--compare", type=Path, help="compare with a snapshot written by --dump")
    parser.add_argument("--check-n", type=int, default=500)
    parser.add_argument("--profile", type=Path, help="pyinstrument HTML of --n predictions")
    parser.add_argument(
        "--lexical",
        choices=("tfidf", "bm25"),
        help="override the bundle's lexical signal (same index and thresholds)",
    )
    parser.add_argument(
        "--search-threads", type=int, default=1, help="FAISS threads (the service's default: 1)"
    )
    args = parser.parse_args()
    from triage.retrieval.index import set_search_threads

    set_search_threads(args.search_threads)
    triager = Triager.load(args.bundle)
    if args.lexical and triager.retriever is not None:
        config = dataclasses.replace(triager.retriever.config, lexical=args.lexical)
        triager.retriever.config = config
    report: dict[str, Any] = {
        "load_avg_1m": os.getloadavg()[0],
        "bundle": str(args.bundle),
        "lexical": triager.retriever.config.lexical if triager.retriever else None,
    }
    if args.dump or args.compare:
        snap = snapshot(triager, held_out(args.tickets, args.check_n))
        if args.dump:
            args.dump.write_text(json.dumps(snap))
        if args.compare:
            report["compare"] = compare(json.loads(args.compare.read_text()), snap, 1e-6)
    tickets = held_out(args.tickets, args.n)
    if args.profile:
        profile(triager, tickets, args.profile)
    report["stages"] = breakdown(triager, tickets, not args.no_db)
    report["load_avg_1m_end"] = os.getloadavg()[0]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
