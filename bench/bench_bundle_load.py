"""Model-file load time: skops (the bundle format) against a joblib pickle of the same model.

Reads a bundle's model once, writes it in the other format in memory, then loads each format from
bytes `--repeat` times (what `load_verified` does) and prints medians, the ratio and the sizes; also
the whole `Triager.load` of the bundle (verify + model + retrieval) as served.

    .venv/bin/python bench/bench_bundle_load.py --bundle models/default --repeat 5

`--train T.parquet` first builds `--bundle` shaped like `make run`'s (training/configs/default.yaml
features on those tickets) with the hashing embedder at dim 384 in place of MiniLM (same array
shapes, no ONNX export), without a retrieval index:

    .venv/bin/triage data generate --tickets 20000 --seed 42 --out /tmp/sample
    .venv/bin/python bench/bench_bundle_load.py --bundle /tmp/mid \
        --train /tmp/sample/tickets.parquet --repeat 5
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import joblib

from triage.bundle_files import read_verified
from triage.model_io import dump_model, load_model_bytes
from triage.triager import Triager


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _train(tickets: Path, out: Path) -> None:
    from training.config import load_config
    from training.train import build_bundle, train
    from triage.dataset import read_tickets
    from triage.embeddings import HashingEmbedder

    config = load_config(Path("training/configs/default.yaml"))
    config = config.model_copy(update={"embedder": "hashing-384", "embedding_cache": None})
    result = train(config, read_tickets(tickets), embedder=HashingEmbedder(384))
    build_bundle(result, out, version="bench-bundle-load")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--train", type=Path, help="Build --bundle from these tickets first.")
    args = parser.parse_args()
    if args.train is not None:
        _train(args.train, args.bundle)
    verified = read_verified(args.bundle)
    model = load_model_bytes(verified.files, args.bundle)
    with tempfile.TemporaryDirectory() as tmp:
        skops_bytes = (Path(tmp) / dump_model(model, Path(tmp))).read_bytes()
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)  # the format bundles had before skops
    pickle_bytes = buffer.getvalue()
    skops_s = _median(
        lambda: load_model_bytes({"model.skops": skops_bytes}, args.bundle), args.repeat
    )
    pickle_s = _median(lambda: joblib.load(io.BytesIO(pickle_bytes)), args.repeat)
    triager_s = _median(lambda: Triager.load(args.bundle), args.repeat)
    print(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="minutes"),
                "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
                "load_average": os.getloadavg(),
                "bundle": str(args.bundle),
                "repeat": args.repeat,
                "skops_mb": round(len(skops_bytes) / 1e6, 2),
                "joblib_mb": round(len(pickle_bytes) / 1e6, 2),
                "skops_load_s": round(skops_s, 3),
                "joblib_load_s": round(pickle_s, 3),
                "ratio_skops_over_joblib": round(skops_s / pickle_s, 1),
                "triager_load_s": round(triager_s, 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
