"""Benchmark: the impact and urgency cues (`triage.cues.cue_matrix`) against the way they were
matched before 2026-12-02 (each family's phrasings joined into one case-insensitive pattern and
searched on the raw text), on the shared datasets' ticket texts.

Prints the seconds of each (median of `--repeat`), their ratio, and how many rows differ (must
be 0). Skips with a message when ../shared/data is absent.

    .venv/bin/python bench/bench_cues.py --repeat 3
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from triage.cues import CUES, cue_matrix

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def texts() -> list[str]:
    import pandas as pd

    out = pd.read_csv(SHARED / "it_service_tickets_48k" / "all_tickets_processed_improved_v3.csv")[
        "Document"
    ].tolist()
    hadoop = pd.read_csv(SHARED / "hadoop_bugs" / "hadoop_bugs.csv")
    out += (hadoop["Summary"].astype(str) + "\n" + hadoop["Description"].astype(str)).tolist()
    for path in sorted((SHARED / "support_tickets_synthetic").glob("*.csv")):
        frame = pd.read_csv(path)
        out += (frame["subject"].astype(str) + "\n" + frame["body"].astype(str)).tolist()
    return [str(t) for t in out]


def before(batch: list[str]) -> np.ndarray:
    """The matching as it was: one IGNORECASE pattern per family, on the raw text."""
    patterns = [
        re.compile("|".join(f"(?:{p})" for p in phrasings), re.IGNORECASE)
        for phrasings in CUES.values()
    ]
    out = np.zeros((len(batch), len(patterns)), dtype=np.float32)
    for row, text in enumerate(batch):
        for col, pattern in enumerate(patterns):
            if pattern.search(text):
                out[row, col] = 1.0
    return out


def timed(fn, batch: list[str], repeat: int) -> tuple[float, np.ndarray]:  # type: ignore[no-untyped-def]
    seconds, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(batch)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result  # type: ignore[return-value]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"skip: {SHARED} not found (shared data absent)", file=sys.stderr)
        return 0
    batch = texts()
    old_s, old = timed(before, batch, args.repeat)
    new_s, new = timed(cue_matrix, batch, args.repeat)
    line = {
        "texts": len(batch),
        "before_s": round(old_s, 2),
        "cue_matrix_s": round(new_s, 2),
        "ratio": round(old_s / new_s, 2),
        "rows_differing": int((old != new).any(axis=1).sum()),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
