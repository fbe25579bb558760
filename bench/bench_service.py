"""Bounded load test of the triage service on loopback, with the raw embedding ceiling.

Starts `triage serve` on a free port with a bundle (trains a small one from a normalised tickets
file when `--bundle` is not given), then measures: single-ticket latency at low load, throughput
and latency at increasing concurrency, the batch endpoint, errors by status, and the server's RSS.
In the same run it measures, in interleaved rounds, the in-process embedding throughput of the
bundle's embedder (the ceiling the service can approach: the best of batch sizes 1, 8 and 32) and
in-process `Triager.predict_many` in calls of 32 on the same bundle, and reports each level's
throughput as a share of both. `--workers 1,2` serves once per worker count, one after the
other, in the same run. Writes JSON to bench/results/ and prints it.

    .venv/bin/python bench/bench_service.py --tickets data/sample/tickets.parquet --train 3000
    .venv/bin/python bench/bench_service.py --bundle models/champion --levels 1,4,16,64
    .venv/bin/python bench/bench_service.py --bundle models/default --workers 1,2 --overload 0
    .venv/bin/python bench/bench_service.py --bundle B --index /tmp/ret48k --levels 1 --overload 0

`--index FOLDER` serves `--bundle` with another saved retriever (e.g. one over 48k tickets, built
with `triage index build`) to measure RSS with a large index. `--overload X` ends with an open-loop
run offering X times the best measured throughput (new requests at a fixed rate whether or not
earlier ones were answered): every answer must be 200 or 429.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from loadgen import LightConnection

ROOT = Path(__file__).resolve().parents[1]
TRIAGE = Path(sys.executable).parent / "triage"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
        if ordered
        else float("nan")
    )


def summary(latencies: list[float], statuses: Counter[int], seconds: float) -> dict[str, object]:
    ok = statuses.get(200, 0)
    return {
        "requests": sum(statuses.values()),
        "ok_per_s": round(ok / seconds, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "status": dict(sorted(statuses.items())),
        "errors_non_429": sum(n for s, n in statuses.items() if s not in (200, 429)),
    }


def load_texts(path: Path, n: int) -> list[dict[str, str]]:
    """The `n` latest tickets of the file (the held-out period of a time split)."""
    from triage.dataset import read_tickets

    tickets = read_tickets(path)
    if all(t.created_at is not None for t in tickets):
        tickets.sort(key=lambda t: t.created_at)  # type: ignore[arg-type, return-value]
    return [{"subject": t.subject, "body": t.body} for t in tickets[-n:]]


def train_bundle(tickets_file: Path, n: int, embedder: str, out: Path) -> Path:
    from training.config import parse_config
    from training.train import build_bundle, train
    from triage.dataset import read_tickets

    tickets = read_tickets(tickets_file)[:n]
    config = parse_config({"embedder": embedder, "embedding_cache": None, "baselines": False})
    result = train(config, tickets)
    return build_bundle(result, out, version=f"bench-{n}")


def in_process(bundle: Path, texts: list[dict[str, str]], rounds: int = 3) -> dict[str, object]:
    """The in-process baselines, measured in interleaved rounds so a noisy neighbour hits them
    alike: the bundle's embedder at batch sizes 1, 8 and 32 (each call sorted by length, its
    best case; the ceiling is the best of them) and `Triager.predict_many` in calls of 32 (the
    service's micro-batch, one FAISS thread as on its inference thread); best of `rounds` each,
    plus the median over rounds of predict_many / ceiling within the same round and the CPU
    time `predict_many` spends per ticket (least of the rounds)."""
    from triage.retrieval.index import set_search_threads
    from triage.schema import Ticket
    from triage.triager import Triager

    set_search_threads(1)
    triager = Triager.load(bundle)
    embedder = triager.embedder
    assert embedder is not None, "the bundle has no embedder"
    tickets = [Ticket(ticket_id=f"q{i}", **t) for i, t in enumerate(texts)]
    strings = [t.text for t in tickets]
    triager.predict_many(tickets[:32])  # warm-up (builds the TF-IDF matrix)
    rates: dict[str, float] = {}
    ratios, cpu_ms = [], []
    for _ in range(rounds):
        now = {
            f"texts_per_s_batch{b}": _rate(
                len(strings), lambda b=b: embedder.encode(strings, batch_size=b)
            )
            for b in (1, 8, 32)
        }
        cpu0 = time.process_time()
        now["predict_many_calls_of_32"] = _rate(len(tickets), lambda: _in_calls(triager, tickets))
        cpu_ms.append(1000 * (time.process_time() - cpu0) / len(tickets))
        ratios.append(
            now["predict_many_calls_of_32"] / max(now[f"texts_per_s_batch{b}"] for b in (1, 8, 32))
        )
        rates = {k: max(rates.get(k, 0.0), v) for k, v in now.items()}
    ceiling = max(rates[f"texts_per_s_batch{b}"] for b in (1, 8, 32))
    return {
        "embedder": embedder.name,
        **rates,
        "predict_many_cpu_ms_per_ticket": round(min(cpu_ms), 2),  # CPU of all its threads
        "ceiling_texts_per_s": ceiling,
        "predict_many_share_of_ceiling": round(rates["predict_many_calls_of_32"] / ceiling, 3),
        "predict_many_share_same_round_median": round(statistics.median(ratios), 3),
        "load_avg_1m": os.getloadavg()[0],
    }


def _rate(n: int, run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return round(n / (time.perf_counter() - start), 1)


def _in_calls(triager: Any, tickets: list[Any]) -> None:
    for i in range(0, len(tickets), 32):
        triager.predict_many(tickets[i : i + 32])


def bundle_with_index(bundle: Path, index: Path, out: Path) -> Path:
    """A copy of `bundle` whose retrieval folder is the saved retriever `index` (re-checksummed)."""
    import shutil

    from triage.bundle import load_model, write_bundle

    manifest, model = load_model(bundle)
    meta = {
        k: v
        for k, v in manifest.items()
        if k not in ("files", "created_at", "schema_version", "libraries")
    }
    meta["version"] = f"{manifest.get('version', 'bench')}+{index.name}"
    return write_bundle(out, model, meta, extra=lambda d: shutil.copytree(index, d / "retrieval"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    bundle: Path,
    work: Path,
    workers: int,
    micro_batch: int,
    capacity: int,
    env_extra: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
    key_file = work / "dev-api-key"
    args = [
        str(TRIAGE),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--bundle",
        str(bundle),
        "--database-url",
        f"sqlite:///{work / 'bench.db'}",
        "--dev-key-file",
        str(key_file),
    ]
    env = os.environ | {
        "HF_HUB_OFFLINE": "1",
        "TRIAGE_LOG_LEVEL": "WARNING",
        "TRIAGE_QUEUE_CAPACITY": str(capacity),
    }
    if micro_batch:
        env["TRIAGE_MICRO_BATCH_SIZE"] = str(micro_batch)
    env |= env_extra or {}
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=(work / "server.log").open("wb")
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                return proc, url, key_file.read_text().strip()
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"server not ready; see {work / 'server.log'}")


def rss_mb(pid: int) -> dict[str, float]:
    """Current and peak RSS of the server and its children (uvicorn workers), MB."""
    pids = [pid, *_children(pid)]
    out = {"rss_mb": 0.0, "peak_rss_mb": 0.0}
    for p in pids:
        status = Path(f"/proc/{p}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        out["rss_mb"] += int(fields["VmRSS"].split()[0]) / 1024
        out["peak_rss_mb"] += int(fields["VmHWM"].split()[0]) / 1024
    return {k: round(v, 1) for k, v in out.items()}


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def request_body(texts: list[dict[str, str]], i: int, batch: int) -> tuple[str, bytes]:
    """(path, JSON body) of request `i`: one ticket, or `batch` tickets for the batch endpoint."""
    if batch:
        tickets = [texts[(i + j) % len(texts)] for j in range(batch)]
        return "/v1/triage/batch", json.dumps({"tickets": tickets}).encode()
    return "/v1/triage", json.dumps({"ticket": texts[i % len(texts)]}).encode()


async def run_level(
    url: str,
    key: str,
    texts: list[dict[str, str]],
    concurrency: int,
    seconds: float,
    batch: int = 0,
    client: str = "light",
    server_pid: int | None = None,
) -> dict[str, object]:
    """Closed loop: `concurrency` workers each send a request as soon as the last is answered,
    for `seconds`. With `server_pid`, also the CPU time the server and this load generator
    spent per answered request (they share the machine's cores)."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    bodies = [request_body(texts, i, batch) for i in range(len(texts))]
    post = await _poster(client, url, key, concurrency)
    stop = time.monotonic() + seconds

    async def worker(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            path, body = bodies[i % len(bodies)]
            t0 = time.perf_counter()
            status, headers = await post(offset, path, body)
            latencies.append(time.perf_counter() - t0)
            statuses[status] += 1
            if status == 429:
                await asyncio.sleep(float(headers.get("retry-after", "1")))
            i += concurrency

    cpu = _CpuClock(server_pid)
    started = time.monotonic()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    elapsed = time.monotonic() - started
    result = summary(latencies, statuses, elapsed)
    result |= cpu.per_request(sum(statuses.values()), elapsed)
    await post(-1, "", b"")  # close the connections
    result["concurrency"] = concurrency
    result["client"] = client
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    if batch:
        result["tickets_per_s"] = round(statuses.get(200, 0) * batch / elapsed, 1)
    return result


Post = Callable[[int, str, bytes], Any]


async def _poster(client: str, url: str, key: str, concurrency: int) -> Post:
    """`post(worker, path, body) -> (status, lower-cased headers)` over the chosen client;
    `post(-1, "", b"")` closes it. "light": one raw keep-alive connection per worker
    (`loadgen.py`); "httpx": one `httpx.AsyncClient` with a pool (what the earlier runs used)."""
    headers = {"X-API-Key": key}
    if client == "light":
        conns = [LightConnection(url, headers) for _ in range(concurrency)]

        async def light(worker: int, path: str, body: bytes) -> tuple[int, dict[str, str]]:
            if worker < 0:
                await asyncio.gather(*(c.close() for c in conns))
                return 0, {}
            return await conns[worker].post(path, body)

        return light
    limits = httpx.Limits(max_connections=concurrency + 2)
    pool = httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60)

    async def heavy(worker: int, path: str, body: bytes) -> tuple[int, dict[str, str]]:
        if worker < 0:
            await pool.aclose()
            return 0, {}
        r = await pool.post(path, content=body, headers={"content-type": "application/json"})
        return r.status_code, {k.lower(): v for k, v in r.headers.items()}

    return heavy


class _CpuClock:
    """CPU seconds used by this process and by the server process tree since creation."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.client0, self.server0 = time.process_time(), self._server()

    def _server(self) -> float:
        if self.server_pid is None:
            return 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in (self.server_pid, *_children(self.server_pid)):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        return total

    def per_request(self, requests: int, elapsed: float) -> dict[str, float]:
        client = time.process_time() - self.client0
        out = {
            "client_cpu_ms_per_request": round(1000 * client / max(requests, 1), 2),
            "client_share_of_cores": round(client / (elapsed * (os.cpu_count() or 1)), 3),
        }
        if self.server_pid is not None:
            server = self._server() - self.server0
            out["server_cpu_ms_per_request"] = round(1000 * server / max(requests, 1), 2)
            out["server_share_of_cores"] = round(server / (elapsed * (os.cpu_count() or 1)), 3)
        return out


async def run_open_loop(
    url: str, key: str, texts: list[dict[str, str]], rate: float, seconds: float
) -> dict[str, object]:
    """Offer `rate` new single-ticket requests per second for `seconds`, answered or not."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=2048, max_keepalive_connections=256)
    async with httpx.AsyncClient(
        base_url=url, headers={"X-API-Key": key}, limits=limits, timeout=60
    ) as client:

        async def one(i: int) -> None:
            t0 = time.perf_counter()
            try:
                r = await client.post("/v1/triage", json={"ticket": texts[i % len(texts)]})
                statuses[r.status_code] += 1
            except httpx.HTTPError as exc:
                statuses[-1] += 1  # transport error or timeout: counted as an error
                print("transport error", type(exc).__name__, flush=True)
            latencies.append(time.perf_counter() - t0)

        before = await server_buckets(client)
        started = time.monotonic()
        prober = start_prober(url, seconds)
        tasks = []
        for i in range(int(rate * seconds)):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
        after = await server_buckets(client)
    result = summary(latencies, statuses, elapsed)
    result.update(offered_per_s=round(rate, 1), load_avg_1m=round(os.getloadavg()[0], 2))
    total = after.get("+Inf", 0) - before.get("+Inf", 0)
    # The server's own view (request start to response, all statuses), from its histogram: tells
    # time inside the app from time in the kernel, the event loop's backlog and the client.
    result["server_share_within_s"] = {
        le: round((after[le] - before.get(le, 0)) / total, 3) if total else None
        for le in ("0.1", "0.5", "1.0", "2.5", "5.0")
        if le in after
    }
    probes = json.loads(prober.communicate(timeout=120)[0] or "[]")
    result["health_ready_ms"] = {
        "probes": len(probes),
        "p50": round(percentile([p[0] for p in probes], 50) * 1000, 1),
        "max": round(max((p[0] for p in probes), default=float("nan")) * 1000, 1),
        "not_200": sum(1 for p in probes if p[1] != 200),
    }
    return result


async def server_buckets(client: httpx.AsyncClient) -> dict[str, float]:
    """Cumulative counts of the server's /v1/triage latency histogram, by upper bound `le`."""
    text = (await client.get("/metrics")).text
    pattern = r'triage_http_request_seconds_bucket\{le="([^"]+)",route="/v1/triage"\} (\S+)'
    return {m.group(1): float(m.group(2)) for m in re.finditer(pattern, text)}


# Readiness probe from its own process, as a kubelet would probe: a new connection every 0.5 s,
# not queued behind the load generator's own connection pool or event loop.
PROBE = """
import json, sys, time, httpx
url, until, out = sys.argv[1], time.monotonic() + float(sys.argv[2]), []
while time.monotonic() < until:
    t0 = time.perf_counter()
    try:
        status = httpx.get(url + "/health/ready", timeout=60).status_code
    except httpx.HTTPError:
        status = -1
    out.append([time.perf_counter() - t0, status])
    time.sleep(0.5)
print(json.dumps(out))
"""


def start_prober(url: str, seconds: float) -> subprocess.Popen[str]:
    """GET /health/ready every 0.5 s for `seconds` from a separate process; JSON on stdout."""
    return subprocess.Popen(
        [sys.executable, "-c", PROBE, url, str(seconds)], stdout=subprocess.PIPE, text=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bundle", type=Path, help="bundle to serve (else train one with --tickets)"
    )
    parser.add_argument("--tickets", type=Path, default=ROOT / "data/sample/tickets.parquet")
    parser.add_argument(
        "--train", type=int, default=3000, help="tickets to train the bench bundle on"
    )
    parser.add_argument("--embedder", default="minilm-onnx-int8")
    parser.add_argument("--levels", default="1,4,16,64", help="concurrency levels")
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each level")
    parser.add_argument("--workers", default="1", help="worker counts, served in turn: 1,2")
    parser.add_argument(
        "--micro-batch", type=int, default=0, help="TRIAGE_MICRO_BATCH_SIZE (0: the default)"
    )
    parser.add_argument("--capacity", type=int, default=256, help="TRIAGE_QUEUE_CAPACITY")
    parser.add_argument("--index", type=Path, help="serve the bundle with this saved retriever")
    parser.add_argument(
        "--client",
        choices=("light", "httpx"),
        default="light",
        help="load generator: raw keep-alive connections (light), or httpx (earlier runs)",
    )
    parser.add_argument(
        "--overload", type=float, default=4.0, help="open-loop x best throughput (0: skip)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-service-"))
    bundle = args.bundle or train_bundle(args.tickets, args.train, args.embedder, work / "bundle")
    if args.index:
        bundle = bundle_with_index(bundle, args.index, work / "bundle-index")
    texts = load_texts(args.tickets, 2000)
    ceiling = in_process(bundle, texts[:512])
    print("in process", ceiling, flush=True)
    runs = {}
    for workers in (int(w) for w in args.workers.split(",")):
        runs[f"workers={workers}"] = serve_and_measure(bundle, work, workers, texts, ceiling, args)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "bundle": str(bundle),
        "micro_batch": args.micro_batch,
        "capacity": args.capacity,
        "client": args.client,
        "load_avg_1m": os.getloadavg()[0],
        "in_process": ceiling,
        **runs,
    }
    out = ROOT / "bench/results" / f"service-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"written to {out}")


def serve_and_measure(
    bundle: Path,
    work: Path,
    workers: int,
    texts: list[dict[str, str]],
    in_process: dict[str, object],
    args: argparse.Namespace,
) -> dict[str, object]:
    """Start `triage serve` with `workers`, run the levels, stop it; shares of both baselines."""
    folder = work / f"workers-{workers}"
    folder.mkdir()
    proc, url, key = start_server(bundle, folder, workers, args.micro_batch, args.capacity)
    try:
        results = asyncio.run(bench(url, key, texts, args, proc.pid))
        results["server"] = rss_mb(proc.pid)
        results["share_of_ceiling"] = shares(results, float(in_process["ceiling_texts_per_s"]))
        results["share_of_predict_many"] = shares(
            results, float(in_process["predict_many_calls_of_32"])
        )
        results["load_avg_1m"] = os.getloadavg()[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    print(f"workers={workers}", json.dumps(results), flush=True)
    return results


async def bench(
    url: str, key: str, texts: list[dict[str, str]], args: argparse.Namespace, pid: int
) -> dict[str, object]:
    levels = [int(x) for x in args.levels.split(",")]
    level = functools.partial(run_level, url, key, texts, client=args.client, server_pid=pid)
    out: dict[str, object] = {"sequential": await level(1, args.seconds)}
    out["levels"] = [await level(c, args.seconds) for c in levels]
    out["batch32"] = await level(2, args.seconds, batch=32)
    if args.overload:
        best = max(float(level["ok_per_s"]) for level in out["levels"])  # type: ignore[index]
        out["overload"] = await run_open_loop(
            url, key, texts, args.overload * max(best, 1.0), args.seconds
        )
    async with httpx.AsyncClient(base_url=url) as client:  # health under no load, for reference
        t0 = time.perf_counter()
        await client.get("/health/ready")
        out["ready_ms"] = round((time.perf_counter() - t0) * 1000, 2)
    return out


def shares(results: dict[str, object], ceiling: float) -> dict[str, float]:
    """Tickets answered per second at each level, as a share of `ceiling` (tickets/s)."""
    out = {
        f"c={level['concurrency']}": round(float(level["ok_per_s"]) / ceiling, 3)
        for level in results["levels"]  # type: ignore[attr-defined]
    }
    out["batch32"] = round(float(results["batch32"]["tickets_per_s"]) / ceiling, 3)  # type: ignore[index]
    return out


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}"


if __name__ == "__main__":
    main()
