"""How long a resolved ticket takes to become searchable on another worker (the shared log).

    TRIAGE_EMBEDDER_ONNX=models/embedder-onnx .venv/bin/python bench/bench_replicas.py \\
        --bundle models/default --tickets data/sample/tickets.parquet

Starts two `triage serve` processes (two replicas) on one SQLite file (`bench_service`'s
server), with the default `TRIAGE_REPLICA_POLL_S` unless `--poll-s`. Then, `--n` times: resolves
a ticket on replica A (a held-out ticket's text) and polls replica B's `/v1/similar` with that
text every 20 ms until the ticket is among the hits. Reports the delay's median, p95 and max
(seconds, client side: includes the poll interval, the tail's read and the embedding on B).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from bench_service import load_texts, start_server
from results_log import emit_report


def searchable(url: str, key: str, text: str, ticket_id: str) -> bool:
    r = httpx.get(
        f"{url}/v1/similar", params={"q": text, "k": 5}, headers={"X-API-Key": key}, timeout=30
    )
    return r.status_code == 200 and ticket_id in [h["ticket_id"] for h in r.json()["similar"]]


def one_delay(a: tuple[str, str], b: tuple[str, str], text: dict[str, str], i: int) -> float:
    """Seconds from A's 201 until B finds the ticket."""
    ticket_id = f"BENCH-REPLICA-{i}"
    body = text | {"ticket_id": ticket_id, "category": "Network", "solution": "bench"}
    r = httpx.post(
        f"{a[0]}/v1/tickets/resolved", json={"ticket": body}, headers={"X-API-Key": a[1]}
    )
    r.raise_for_status()
    start = time.perf_counter()
    query = f"{text['subject']}\n{text['body']}"
    while not searchable(b[0], b[1], query, ticket_id):
        if time.perf_counter() - start > 60:
            raise SystemExit(f"{ticket_id} not searchable on B after 60 s")
        time.sleep(0.02)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--tickets", type=Path, required=True)
    parser.add_argument("--poll-s", type=float, help="TRIAGE_REPLICA_POLL_S (default: 1)")
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    if args.poll_s:
        os.environ["TRIAGE_REPLICA_POLL_S"] = str(args.poll_s)
    work = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
    texts = load_texts(args.tickets, args.n)
    servers = [start_server(args.bundle, work, 1, 0, 256) for _ in range(2)]  # same db, key
    try:
        (_, url_a, key), (_, url_b, _) = servers
        delays = [one_delay((url_a, key), (url_b, key), t, i) for i, t in enumerate(texts)]
    finally:
        for proc, _, _ in servers:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
    ordered = sorted(delays)
    emit_report(
        {
            "n": len(delays),
            "poll_s": args.poll_s or 1.0,
            "database": "sqlite",
            "delay_s": {
                "median": round(statistics.median(delays), 3),
                "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 3),
                "max": round(ordered[-1], 3),
            },
            "load_avg_1m": round(os.getloadavg()[0], 2),
        },
        None,
    )


if __name__ == "__main__":
    main()
