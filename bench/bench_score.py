"""Batch scoring as served: `triage score` on the local engine vs Spark `local[2]`, same model.

For each size, generates tickets (`triage data generate`, timed), then runs the CLI as a user
does, once per engine, in the same run, on the same registered model (default
`models:/triage@champion` of the current folder's MLflow store, i.e. what `make model` built).
Reports wall seconds, rows/s and the peak memory of the whole process tree (the CLI, Spark's
JVM and its Python workers; RSS and PSS summed), sampled every 0.25 s from /proc. With two or
more sizes, the marginal rate between the two largest ((n2 - n1) / (t2 - t1)) extrapolates to
--extrapolate rows (start-up is paid once: t(N) = t(n1) + (N - n1) / marginal rate).

    nice -n 10 .venv/bin/python bench/bench_score.py --sizes 2000 20000 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) summed over `pid` and its descendants, in MB. RSS counts pages shared by
    forked workers once per process (an upper bound); PSS splits them (the fair total)."""
    rss = pss = 0
    for current in _descendants(pid):
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def timed(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `cmd`; wall seconds and the peak process-tree RSS while it ran."""
    peak = [0.0, 0.0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[:] = [max(a, b) for a, b in zip(peak, tree_memory_mb(proc.pid), strict=True)]
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak[0], 1),
        "peak_pss_mb": round(peak[1], 1),
        "stdout": out.decode(),
    }


def generate(n: int, seed: int, folder: Path, env: dict[str, str]) -> tuple[Path, float]:
    """`triage data generate --tickets n`; returns the tickets file and the seconds it took."""
    cmd = [str(BIN / "triage"), "data", "generate", "--tickets", str(n), "--seed", str(seed)]
    run = timed([*cmd, "--out", str(folder), "--json"], env)
    return folder / "tickets.parquet", run["seconds"]


def one_size(n: int, args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[dict]:
    data, gen_s = generate(n, args.seed, work / f"data-{n}", env)
    rows = []
    for engine in args.engines:
        out = work / f"scores-{engine}-{n}"
        cmd = [str(BIN / "triage"), "score", "--data", str(data), "--out", str(out)]
        cmd += ["--engine", engine, "--model", args.model, "--json"]
        run = timed(cmd, env)
        summary = json.loads(run.pop("stdout"))
        assert summary["rows"] == n, summary
        row = {"n": n, "engine": engine, **run, "rows_per_s": round(n / run["seconds"], 1)}
        row |= {"generate_s": gen_s, "load_1min": round(os.getloadavg()[0], 2)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def extrapolate(rows: list[dict], target: int) -> dict[str, Any]:
    """Per engine, the marginal rate between the two largest sizes and the time for `target`."""
    out = {}
    for engine in {r["engine"] for r in rows}:
        mine = sorted((r for r in rows if r["engine"] == engine), key=lambda r: r["n"])
        if len(mine) < 2:
            continue
        small, big = mine[-2], mine[-1]
        rate = (big["n"] - small["n"]) / (big["seconds"] - small["seconds"])
        seconds = small["seconds"] + (target - small["n"]) / rate
        out[engine] = {
            "marginal_rows_per_s": round(rate, 1),
            f"seconds_for_{target}": round(seconds),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument("--engines", nargs="+", default=["local", "spark"])
    parser.add_argument("--model", default="models:/triage@champion")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (not the training one)")
    parser.add_argument("--extrapolate", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    env = {**os.environ, "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}
    with tempfile.TemporaryDirectory(prefix="bench-score-") as tmp:
        rows = [row for n in args.sizes for row in one_size(n, args, Path(tmp), env)]
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "model": args.model,
        "rows": rows,
        "extrapolated": extrapolate(rows, args.extrapolate),
    }
    print(json.dumps(report["extrapolated"]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
