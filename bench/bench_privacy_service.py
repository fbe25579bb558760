"""Redaction as served: single-ticket latency of `triage serve` at concurrency 1 with redaction
off (`TRIAGE_PRIVACY_CONFIG` with `kinds: []`) and on (the default), alternated in one run on
one bundle, with the requester sent as a ticket system sends it; plus the library-level cost
of `TicketPrivacy.ticket` on the same tickets.

    .venv/bin/python bench/bench_privacy_service.py --tickets data/sample/tickets.parquet \\
        --train 3000 --rounds 4 --seconds 10

Writes JSON to bench/results/ and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench_service import ROOT, machine, run_level, start_server

MODES = {"off": "privacy:\n  kinds: []\n", "on": None}


def train_bundle(tickets_file: Path, n: int, embedder: str, out: Path) -> Path:
    """A bundle trained as `triage train` trains: redacted before the split, with the index."""
    from training.config import parse_config
    from training.pipeline import attach_retriever, private_tickets
    from training.train import build_bundle, train
    from triage.dataset import read_tickets

    secret = str(out.parent / "secret")
    config = parse_config(
        {
            "embedder": embedder,
            "embedding_cache": None,
            "baselines": False,
            "privacy": {"secret_file": secret},
        }
    )
    tickets = private_tickets(config, read_tickets(tickets_file)[:n])
    result = train(config, tickets)
    attach_retriever(result, tickets, [])
    return build_bundle(result, out, version=f"bench-privacy-{n}")


def load_requests(path: Path, n: int) -> list[dict[str, str]]:
    """The `n` latest tickets as a ticket system sends them: subject, body and requester."""
    from triage.dataset import read_tickets

    tickets = sorted(read_tickets(path), key=lambda t: str(t.created_at))[-n:]
    out = []
    for t in tickets:
        body = {"subject": t.subject, "body": t.body}
        if t.requester:
            body["requester"] = t.requester
        out.append(body)
    return out


def library_cost(requests: list[dict[str, str]]) -> dict[str, float]:
    """Median and p95 ms of `TicketPrivacy.ticket` per ticket, in this process."""
    from triage.privacy.guard import TicketPrivacy
    from triage.schema import Ticket

    privacy = TicketPrivacy.from_section({}, secret_file=Path(tempfile.mkdtemp()) / "secret")
    tickets = [Ticket(ticket_id=f"b{i}", **r) for i, r in enumerate(requests)]  # type: ignore[arg-type]
    privacy.ticket(tickets[0])  # warm the detectors
    times = []
    for t in tickets:
        t0 = time.perf_counter()
        privacy.ticket(t)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(0.95 * len(times))], 3),
    }


def one_level(bundle: Path, mode: str, requests: list[dict[str, str]], seconds: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"bench-privacy-{mode}-"))
    extra = {"TRIAGE_PRIVACY_SECRET_FILE": str(work / "secret")}
    if MODES[mode] is not None:
        (work / "privacy.yaml").write_text(str(MODES[mode]))
        extra["TRIAGE_PRIVACY_CONFIG"] = str(work / "privacy.yaml")
    proc, url, key = start_server(bundle, work, 1, 0, 256, env_extra=extra)
    try:
        return asyncio.run(run_level(url, key, requests, 1, seconds))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="bundle to serve (else train one)")
    parser.add_argument("--tickets", type=Path, default=ROOT / "data/sample/tickets.parquet")
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--embedder", default="minilm-onnx-int8")
    parser.add_argument("--rounds", type=int, default=4, help="off/on pairs, order alternated")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-privacy-"))
    bundle = args.bundle or train_bundle(args.tickets, args.train, args.embedder, work / "bundle")
    requests = load_requests(args.tickets, 2000)
    runs: dict[str, list[dict]] = {"off": [], "on": []}
    for round_ in range(args.rounds):
        # Alternate which mode goes first, so drift in the machine's load favours neither.
        for mode in ("off", "on") if round_ % 2 == 0 else ("on", "off"):
            runs[mode].append(one_level(bundle, mode, requests, args.seconds))
            print(mode, runs[mode][-1], flush=True)
    medians = {
        mode: {
            k: statistics.median(float(r[k]) for r in rs) for k in ("p50_ms", "p95_ms", "ok_per_s")
        }
        for mode, rs in runs.items()
    }
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_avg_1m": os.getloadavg()[0],
        "bundle": str(bundle),
        "with_requester": sum("requester" in r for r in requests),
        "library": library_cost(requests),
        "runs": runs,
        "medians": medians,
        "ratio_on_off_p50": round(medians["on"]["p50_ms"] / medians["off"]["p50_ms"], 3),
    }
    out = ROOT / "bench/results" / f"privacy-service-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
