"""Where `Triager.predict_many` spends its time: cProfile over calls of 32, top entries.

    TRIAGE_EMBEDDER_ONNX=models/embedder-onnx .venv/bin/python bench/bench_profile_predict.py \\
        --bundle models/default --tickets data/sample/tickets.parquet

Loads the bundle as the service does (one FAISS thread, as on its inference thread), warms up,
then profiles `predict_many` over the latest `--n` tickets of the file (the held-out period) in
calls of 32 (the service's micro-batch). Prints the top `--top` functions by own time and by
cumulative time, with the share of the profiled wall time. cProfile adds overhead to every Python
call, so Python-heavy parts look costlier than they are; read the ranking, not the milliseconds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
from pathlib import Path


def top_entries(stats: pstats.Stats, key: str, top: int, wall: float) -> list[str]:
    """The `top` functions sorted by `key` ('tottime' or 'cumulative') with their share of wall."""
    stats.sort_stats(key)
    out = []
    for func in stats.fcn_list[:top]:  # type: ignore[attr-defined]
        _cc, calls, tottime, cumtime, _ = stats.stats[func]  # type: ignore[attr-defined]
        seconds = tottime if key == "tottime" else cumtime
        where = f"{Path(func[0]).name}:{func[1]}({func[2]})"
        out.append(f"{seconds / wall:6.1%} {seconds:7.3f} s {calls:8d} calls  {where}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--tickets", type=Path, required=True)
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from triage.dataset import read_tickets
    from triage.retrieval.index import set_search_threads
    from triage.schema import Ticket
    from triage.triager import Triager

    set_search_threads(1)
    triager = Triager.load(args.bundle)
    tickets = read_tickets(args.tickets)[-args.n :]
    queries = [
        Ticket(ticket_id=f"q{i}", subject=t.subject, body=t.body) for i, t in enumerate(tickets)
    ]
    triager.predict_many(queries[:32])  # warm-up (builds the TF-IDF matrix)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for i in range(0, len(queries), 32):
        triager.predict_many(queries[i : i + 32])
    profiler.disable()
    wall = time.perf_counter() - start
    stats = pstats.Stats(profiler, stream=io.StringIO())
    print(
        f"{len(queries)} tickets in {wall:.2f} s under cProfile ({len(queries) / wall:.1f}/s), "
        f"load {os.getloadavg()[0]:.2f}"
    )
    for key in ("tottime", "cumulative"):
        print(f"\n-- top {args.top} by {key}")
        print("\n".join(top_entries(stats, key, args.top, wall)))


if __name__ == "__main__":
    main()
