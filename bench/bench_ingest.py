"""Ingestion throughput (rows/s) and peak RSS of `import_file` on a generated CSV, median of runs.

Generates an N-row CSV with our own column names (the `triage` preset) in a temp dir: Dutch and
English ticket texts built from sentence pools with ids and numbers, some multi-line, about 2%
exact repeats and 1% near repeats, 0.5% broken rows. Each run imports it in a fresh process (so the
peak RSS is that run's own) through the full path: CSV parsing, text cleaning, validation,
duplicate flagging (exact + MinHash LSH), Parquet writing. Language is given in the file, so
language detection runs only on the rows that lack it (10%).

    .venv/bin/python bench/bench_ingest.py --rows 1000000 --runs 3 [--no-near]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

COLUMNS = [
    "ticket_id",
    "subject",
    "body",
    "created_at",
    "language",
    "channel",
    "category",
    "priority",
    "status",
    "time_spent_minutes",
]
NL = [
    "Mijn laptop start niet meer op sinds de update van gisteren.",
    "Outlook geeft een foutmelding over mijn profiel bij het opstarten.",
    "De printer op verdieping {n} geeft steeds een papierstoring.",
    "Ik kan niet inloggen, mijn wachtwoord is verlopen.",
    "De VPN-verbinding valt elke tien minuten weg.",
    "Hele afdeling kan niet werken, de gedeelde schijf is onbereikbaar.",
    "Graag een nieuwe monitor voor werkplek {n}.",
    "Teams valt weg tijdens vergaderingen met externe partijen.",
    "Kunnen jullie mij toegang geven tot map {n} op de fileserver?",
    "Het scherm van mijn tweede monitor flikkert de hele dag.",
]
EN = [
    "My laptop does not boot since yesterday's update.",
    "Outlook keeps asking for my password after the migration.",
    "The printer on floor {n} shows a paper jam every morning.",
    "I cannot log in to the ERP system, error code {n}.",
    "The VPN disconnects every ten minutes when working from home.",
    "The whole finance team cannot reach the shared drive.",
    "Please order a docking station for desk {n}.",
    "Teams calls drop when I share my screen.",
    "Please grant me access to project folder {n}.",
    "My phone does not sync my calendar anymore.",
]
APPS = [
    "Outlook",
    "Teams",
    "SAP",
    "Exact",
    "AFAS",
    "TOPdesk",
    "Citrix",
    "OneDrive",
    "Excel",
    "Chrome",
    "the VPN client",
    "the scanner",
    "the badge reader",
    "Zoom",
    "SharePoint",
]
SYMPTOMS = {
    "nl": [
        "loopt vast",
        "is erg traag",
        "geeft foutcode {n}",
        "start niet",
        "vraagt steeds om een wachtwoord",
        "sluit zichzelf af",
        "laat een wit scherm zien",
        "synchroniseert niet",
    ],
    "en": [
        "freezes",
        "is very slow",
        "shows error {n}",
        "does not start",
        "keeps asking for a password",
        "closes by itself",
        "shows a blank screen",
        "does not sync",
    ],
}
WHEN = {
    "nl": [
        "sinds vanochtend",
        "na de update",
        "bij het opstarten",
        "op kamer {n}",
        "sinds vrijdag",
    ],
    "en": ["since this morning", "after the update", "at start-up", "in room {n}", "since Friday"],
}
CATEGORIES = ["account", "email", "printing", "network", "workplace", "access", "telephony"]
GREETING = {"nl": ["Hallo,", "Goedemorgen,", "Beste servicedesk,"], "en": ["Hi,", "Hello team,"]}
CLOSING = {"nl": "Met vriendelijke groet,\nJan de Vries", "en": "Kind regards,\nJohn Smith"}


def _body(rng: random.Random, language: str) -> str:
    pool = NL if language == "nl" else EN
    sentences = [s.format(n=rng.randint(1, 9999)) for s in rng.sample(pool, rng.randint(1, 3))]
    detail = f"{rng.choice(APPS)} {rng.choice(SYMPTOMS[language])} {rng.choice(WHEN[language])}."
    sentences.insert(rng.randrange(len(sentences) + 1), detail.format(n=rng.randint(1, 999)))
    parts = [rng.choice(GREETING[language]), " ".join(sentences)]
    if rng.random() < 0.3:
        parts.append(CLOSING[language])
    return "\n\n".join(parts) if rng.random() < 0.5 else " ".join(sentences)


def _row(rng: random.Random, i: int, start: datetime, earlier: list[list[str]]) -> list[str]:
    language = "nl" if rng.random() < 0.6 else "en"
    body = _body(rng, language)
    roll = rng.random()
    if earlier and roll < 0.02:
        body = rng.choice(earlier)[2]
    elif earlier and roll < 0.03:
        body = rng.choice(earlier)[2] + " Alvast bedankt."
    created = start + timedelta(minutes=i * 0.5)
    return [
        f"T{i:08d}",
        body.split(".")[0][:60],
        body,
        created.isoformat(),
        language if rng.random() < 0.9 else "",
        rng.choice(["email", "phone", "portal"]),
        rng.choice(CATEGORIES),
        rng.choice(["P1", "P2", "P3", "P3", "P4", "P4"]),
        rng.choice(["new", "resolved", "closed"]),
        str(rng.randint(0, 240)),
    ]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write `rows` synthetic tickets (plus 0.5% broken rows) as CSV to `path`."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    earlier: list[list[str]] = []
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for i in range(rows):
            row = _row(rng, i, start, earlier)
            if rng.random() < 0.005:
                row[7] = "P9" if rng.random() < 0.5 else row[7]
                row[3] = "gisteren" if row[7] != "P9" else row[3]
            writer.writerow(row)
            if len(earlier) < 1000 or rng.random() < 0.001:
                earlier.append(row) if len(earlier) < 1000 else earlier.__setitem__(
                    rng.randrange(1000), row
                )


def worker(csv_path: Path, out_dir: Path, near: bool = True) -> dict[str, float]:
    """One import in this process: seconds, rows/s, peak RSS (MB) and the report counts."""
    import dataclasses

    from triage.ingest import import_file, load_mapping

    mapping = load_mapping("triage")
    if not near:
        mapping = dataclasses.replace(mapping, near_duplicates=None)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    report = import_file(csv_path, mapping, out_dir)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "rows_per_s": report.read / seconds,
        "peak_rss_mb": peak,
        "rss_before_mb": base,
        "read": report.read,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "duplicates": report.duplicates,
    }


def machine() -> str:
    """nproc and CPU model."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, load {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-near", action="store_true", help="near-duplicate flagging off")
    parser.add_argument("--worker", nargs=2, metavar=("CSV", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(Path(args.worker[0]), Path(args.worker[1]), not args.no_near)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        csv_path = Path(tmp) / "tickets.csv"
        started = time.perf_counter()
        generate(csv_path, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        took = time.perf_counter() - started
        print(f"generated {args.rows:,} rows, {size_mb:.0f} MB in {took:.0f} s")
        runs = []
        for run in range(args.runs):
            command = [sys.executable, __file__, "--worker", str(csv_path), f"{tmp}/out{run}"]
            command += ["--no-near"] if args.no_near else []
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"run {run + 1}: {json.dumps(runs[-1])}")
    keys = ("seconds", "rows_per_s", "peak_rss_mb", "rss_before_mb")
    median = {k: round(statistics.median(r[k] for r in runs), 1) for k in keys}
    counts = {k: runs[0][k] for k in ("read", "accepted", "rejected", "duplicates")}
    summary = {
        "rows": args.rows,
        "csv_mb": round(size_mb),
        "runs": args.runs,
        "near_duplicates": not args.no_near,
        "median": median,
        "counts": counts,
        "machine": machine(),
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
