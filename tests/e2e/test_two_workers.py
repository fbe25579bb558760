"""End-to-end: two `triage serve` processes on two ports share one real PostgreSQL (and
`TRIAGE_WORKERS=2` on one port): feedback, resolved tickets and reloads reach every worker."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e_server import Server, start_server
from pg import fresh_database
from service_helpers import VPN_TICKET

pytestmark = pytest.mark.e2e
logger = logging.getLogger(__name__)

POLL_S = 0.5
STATED_DELAY_S = POLL_S + 1.0
"""What docs/scale.md states: one poll interval plus one indexing (tiny bundle)."""
SLACK_S = 10.0  # a shared 2-core machine: the check is "bounded", the figure is logged
ENV = {"TRIAGE_REPLICA_POLL_S": str(POLL_S)}
OKAPI = {
    "ticket_id": "INC-OKAPI",
    "subject": "okapi vpn router",
    "body": "okapi dns outage",
    "category": "Network",
    "solution": "replaced the okapi switch",
}


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(20)
        except subprocess.TimeoutExpired:  # a stuck server must not hang the suite
            server.kill()


@pytest.fixture()
def two_servers(
    tmp_path: Path, e2e_bundle_v1: Path, postgres_url: str
) -> Iterator[tuple[Server, Server]]:
    url = fresh_database(postgres_url, "e2e_two_workers")
    a = start_server(tmp_path, e2e_bundle_v1, url, env=ENV)
    try:
        b = start_server(tmp_path, e2e_bundle_v1, url, env=ENV)  # same dev key file and store
    except Exception:
        _stop(a)
        raise
    yield a, b
    _stop(a)
    _stop(b)


def _post(server: Server, path: str, body: dict[str, object]) -> httpx.Response:
    headers = {"X-API-Key": server.dev_key}
    return httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=30)


def _version(server: Server) -> str:
    r = _post(server, "/v1/triage", {"ticket": VPN_TICKET})
    assert r.status_code == 200, r.text
    return str(r.json()["model_version"])


def _searchable(server: Server, ticket_id: str) -> bool:
    r = httpx.get(
        f"{server.url}/v1/similar",
        params={"q": "okapi vpn router okapi dns"},
        headers={"X-API-Key": server.dev_key},
        timeout=30,
    )
    return r.status_code == 200 and ticket_id in [h["ticket_id"] for h in r.json()["similar"]]


def _wait_for(check: object, deadline_s: float) -> float:
    """Seconds until `check()` holds; fails after `deadline_s`."""
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        if check():  # type: ignore[operator]
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"not reached within {deadline_s} s")


def _feedback_on_each_others_predictions(a: Server, b: Server) -> None:
    for first, second in ((a, b), (b, a)):
        pid = _post(first, "/v1/triage", {"ticket": VPN_TICKET}).json()["prediction_id"]
        r = _post(second, "/v1/feedback", {"prediction_id": pid, "outcome": "accepted"})
        assert r.status_code == 201, r.text


def _resolved_reaches_both(a: Server, b: Server) -> float:
    assert _post(a, "/v1/tickets/resolved", {"ticket": OKAPI}).json()["searchable"] is True
    delay = _wait_for(lambda: _searchable(b, "INC-OKAPI"), STATED_DELAY_S + SLACK_S)
    logger.warning("resolved ticket searchable on the other worker after %.2f s", delay)
    assert _searchable(a, "INC-OKAPI")
    return delay


def _triage(server: Server) -> tuple[int, str | None]:
    """Status and model version of one prediction; never raises on an HTTP error status."""
    r = _post(server, "/v1/triage", {"ticket": VPN_TICKET})
    return r.status_code, r.json().get("model_version") if r.status_code == 200 else r.text


MIN_SAMPLES = 5
"""Predictions per worker the traffic thread must have made during a reload."""


def _reload_reaches_both(a: Server, b: Server, bundle_v2: Path) -> None:
    seen: dict[str, list[tuple[int, str | None]]] = {a.url: [], b.url: []}
    errors: list[BaseException] = []
    stop = threading.Event()

    def traffic() -> None:  # records only: an assert in a thread is just a pytest warning
        try:
            while not stop.is_set():
                for server in (a, b):
                    seen[server.url].append(_triage(server))
        except BaseException as e:  # a dropped connection counts as a dropped request
            errors.append(e)

    def versions(server: Server) -> list[str | None]:
        return [v for _, v in list(seen[server.url])]

    runner = threading.Thread(target=traffic)
    runner.start()
    try:  # v1 answers from both before the reload, v2 answers from both after it
        _wait_for(lambda: errors or all(len(v) >= MIN_SAMPLES for v in seen.values()), 60)
        r = _post(a, "/v1/admin/reload", {"bundle_dir": str(bundle_v2)})
        assert r.status_code == 200 and r.json()["version"] == "e2e-v2", r.text
        _wait_for(lambda: _version(b) == "e2e-v2", STATED_DELAY_S + SLACK_S)
        _wait_for(
            lambda: (
                errors
                or all(versions(s)[-MIN_SAMPLES:] == ["e2e-v2"] * MIN_SAMPLES for s in (a, b))
            ),
            60,
        )
    finally:
        stop.set()
        runner.join(60)
    assert not runner.is_alive()
    assert not errors, errors
    for url, answers in seen.items():
        statuses = [status for status, _ in answers]
        assert statuses == [200] * len(answers), (url, answers)  # no request dropped
        assert len(answers) >= 2 * MIN_SAMPLES, (url, len(answers))
        versions_seen = [v for _, v in answers]
        assert versions_seen[0] == "e2e-v1" and versions_seen[-1] == "e2e-v2", (url, answers)
        assert versions_seen == sorted(versions_seen)  # v1 ... v1 v2 ... v2: no going back
        logger.warning("%s: %d predictions during the reload, all 200", url, len(answers))
    assert _version(a) == _version(b) == "e2e-v2"
    assert _searchable(b, "INC-OKAPI")  # the new index replayed the shared log


def test_two_workers_on_one_postgresql_agree(
    two_servers: tuple[Server, Server], e2e_bundle_v2: Path
) -> None:
    a, b = two_servers
    _feedback_on_each_others_predictions(a, b)
    _resolved_reaches_both(a, b)
    _reload_reaches_both(a, b, e2e_bundle_v2)


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):  # a process that exited meanwhile
            continue
    found, todo = set(), [root]
    while todo:
        parent = todo.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.update(children)
        todo += children
    return found


def _worker_of(server: Server, r: httpx.Response) -> int:
    """The pid of the uvicorn worker holding the (kept-alive) connection `r` came over.

    Linux: the server side of the connection in /proc/net/tcp, then which descendant of the
    `triage serve` process has that socket open."""
    client_port = r.extensions["network_stream"].get_extra_info("client_addr")[1]
    server_port = int(server.url.rsplit(":", 1)[1])
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    inodes = [
        fields[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if (fields := line.split())[1:4] == [local, remote, "01"]  # ESTABLISHED
    ]
    assert len(inodes) == 1, (local, remote, inodes)
    owners = set()
    for pid in _descendants(server.process.pid):
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        if f"socket:[{inodes[0]}]" in links:
            owners.add(pid)
    assert len(owners) == 1, f"held by worker processes {owners} of `triage serve`, not one"
    return owners.pop()


class Workers:
    """Keep-alive connections to a multi-worker server, each pinned to a known worker pid."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.clients: dict[int, httpx.Client] = {}

    def _connect(self) -> None:
        client = httpx.Client(headers={"X-API-Key": self.server.dev_key}, timeout=30)
        pid = _worker_of(self.server, client.get(f"{self.server.url}/health/live"))
        if pid in self.clients:
            client.close()
        else:
            self.clients[pid] = client

    def find(self, count: int, tries: int = 200) -> list[int]:
        """The pids of `count` workers, each reached over its own connection."""
        for _ in range(tries):
            if len(self.clients) >= count:
                break
            self._connect()
        assert len(self.clients) >= count, f"only workers {sorted(self.clients)} accepted"
        return sorted(self.clients)

    def call(self, pid: int, method: str, path: str, **kwargs: object) -> httpx.Response:
        """`method path` answered by worker `pid` (checked: a server may close an idle
        keep-alive connection, and the reconnection may land on the other worker)."""
        for _ in range(200):
            client = self.clients.get(pid)
            if client is not None:
                live = client.get(f"{self.server.url}/health/live")
                if _worker_of(self.server, live) == pid:
                    r = client.request(method, f"{self.server.url}{path}", **kwargs)  # type: ignore[arg-type]
                    assert _worker_of(self.server, r) == pid
                    return r
                self.clients.pop(pid).close()  # reconnected elsewhere: drop it
            self._connect()
        raise AssertionError(f"no connection to worker {pid}")

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="finds workers through Linux /proc")
def test_uvicorn_workers_agree(tmp_path: Path, e2e_bundle_v1: Path, e2e_bundle_v2: Path) -> None:
    """`TRIAGE_WORKERS=2` on one port (SQLite): each check is made on a connection whose worker
    pid is known, so feedback, resolved tickets and reloads provably cross between the two."""
    server = start_server(tmp_path, e2e_bundle_v1, env=ENV, workers=2)
    workers = Workers(server)
    try:
        _wait_for(
            lambda: _post(server, "/v1/triage", {"ticket": VPN_TICKET}).status_code == 200, 60
        )
        one, two = workers.find(2)
        assert one != two and {one, two} <= _descendants(server.process.pid)
        logger.warning("uvicorn workers %d and %d", one, two)
        for first, second in ((one, two), (two, one)):  # feedback on the other's prediction
            r = workers.call(first, "POST", "/v1/triage", json={"ticket": VPN_TICKET})
            assert r.status_code == 200, r.text
            body = {"prediction_id": r.json()["prediction_id"], "outcome": "accepted"}
            r = workers.call(second, "POST", "/v1/feedback", json=body)
            assert r.status_code == 201, r.text

        def searchable(pid: int) -> bool:
            q = {"q": "okapi vpn router okapi dns"}
            r = workers.call(pid, "GET", "/v1/similar", params=q)
            return r.status_code == 200 and "INC-OKAPI" in [
                h["ticket_id"] for h in r.json()["similar"]
            ]

        r = workers.call(one, "POST", "/v1/tickets/resolved", json={"ticket": OKAPI})
        assert r.status_code == 201, r.text
        _wait_for(lambda: searchable(two), STATED_DELAY_S + SLACK_S)
        assert searchable(one)

        def version(pid: int) -> str:
            r = workers.call(pid, "POST", "/v1/triage", json={"ticket": VPN_TICKET})
            assert r.status_code == 200, r.text
            return str(r.json()["model_version"])

        assert version(one) == version(two) == "e2e-v1"
        r = workers.call(one, "POST", "/v1/admin/reload", json={"bundle_dir": str(e2e_bundle_v2)})
        assert r.status_code == 200 and r.json()["version"] == "e2e-v2", r.text
        _wait_for(lambda: version(two) == "e2e-v2", 30)
        assert version(one) == "e2e-v2"
    finally:
        workers.close()
        _stop(server)
