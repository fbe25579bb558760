"""The console's store-backed endpoints at scale, through the whole app (auth, middleware, JSON).

`GET /v1/predictions?limit=20` (reopen a recent prediction) and `GET /v1/stats/volume` (the lead
view's volume) on a SQLite store with `--total` predictions, `--week` of them in the last six
days, each next to a baseline measured in the same run: `GET /v1/stats?days=7`, the existing
production report over the same week (what the lead view also loads).

    .venv/bin/python bench/bench_console_endpoints.py [--total 100000] [--week 20000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from results_log import emit_line

from api.app import create_app
from api.settings import Settings
from triage.schema import Ticket
from triage.store.keys import create_key
from triage.store.protocol import FeedbackStore
from triage.store.records import PredictionRecord
from triage.store.sql import open_store

WORDS = [
    "vpn",
    "printer",
    "wachtwoord",
    "account",
    "laptop",
    "scherm",
    "outlook",
    "teams",
    "netwerk",
    "server",
    "database",
]
CATEGORIES = ["Netwerk", "Werkplek", "Accounts", "Applicaties", "Telefonie", "Printen"]


def _record(i: int, when: datetime, rng: random.Random) -> PredictionRecord:
    subject = " ".join(rng.choices(WORDS, k=6))
    body = " ".join(rng.choices(WORDS, k=45))  # about 300 characters, like a short ticket
    labels = {
        "category": {"label": rng.choice(CATEGORIES), "confidence": 0.8, "action": "suggest"},
        "priority": {"label": rng.choice(["P2", "P3", "P4"]), "confidence": 0.7, "action": "auto"},
        "support_line": {"label": rng.choice("123"), "confidence": 0.9, "action": "review"},
    }
    ticket = Ticket(ticket_id=f"INC-{i:07d}", subject=subject, body=body, created_at=when)
    return PredictionRecord(f"{i:032x}", ticket, "bench", labels, when)


def fill(store: FeedbackStore, total: int, week: int) -> None:
    """`total` predictions: `week` spread over the last six days, the rest 8 to 90 days back."""
    rng, now = random.Random(0), datetime.now(UTC)
    batch: list[PredictionRecord] = []
    for i in range(total):
        back = rng.uniform(0, 6) if i >= total - week else rng.uniform(8, 90)
        batch.append(_record(i, now - timedelta(days=back), rng))
        if len(batch) == 5_000:
            store.record_predictions(batch)
            batch = []
    store.record_predictions(batch)


def timed(client: TestClient, path: str, headers: dict[str, str], repeat: int) -> dict[str, float]:
    """Median and worst latency in ms of `repeat` GETs (after one warm-up)."""
    assert client.get(path, headers=headers).status_code == 200
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--week", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = open_store(url)
        started = time.perf_counter()
        fill(store, args.total, args.week)
        key = create_key(store, ["admin"])[0]
        store.close()
        fill_s = time.perf_counter() - started
        settings = Settings(
            database_url=url, warmup=False, batch_prediction_writes=False, log_level="WARNING"
        )
        with TestClient(create_app(settings)) as client:
            headers = {"X-API-Key": key}
            results = {
                "predictions_limit_20": timed(
                    client, "/v1/predictions?limit=20", headers, args.repeat
                ),
                "stats_volume": timed(
                    client, "/v1/stats/volume?tz=Europe/Amsterdam", headers, args.repeat
                ),
                "baseline_stats_days_7": timed(client, "/v1/stats?days=7", headers, args.repeat),
            }
    base = results["baseline_stats_days_7"]["median_ms"]
    emit_line(
        {
            "bench": "console_endpoints",
            "date": datetime.now(UTC).date().isoformat(),
            "machine": f"{platform.machine()} {os.cpu_count()} cpu",
            "python": platform.python_version(),
            "load_avg": [round(x, 2) for x in os.getloadavg()],
            "total": args.total,
            "week": args.week,
            "fill_s": round(fill_s, 1),
            **results,
            "ratio_to_baseline": {
                name: round(r["median_ms"] / base, 3) for name, r in results.items()
            },
        },
        args.out,
    )


if __name__ == "__main__":
    main()
