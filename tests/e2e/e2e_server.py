"""A real `triage serve` process on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

TRIAGE = Path(sys.executable).parent / "triage"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running `triage serve` process."""

    process: subprocess.Popen[bytes]
    url: str
    database_url: str
    dev_key: str
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


def start_server(
    tmp: Path,
    bundle: Path | None,
    database_url: str | None = None,
    env: dict[str, str] | None = None,
    workers: int = 1,
) -> Server:
    """`triage serve` on a free port (`env`: extra TRIAGE_* settings); waits until live."""
    port = free_port()
    database_url = database_url or f"sqlite:///{tmp / 'triage.db'}"
    key_file = tmp / ".triage" / "dev-api-key"
    args = [
        str(TRIAGE),
        "serve",
        "--port",
        str(port),
        "--database-url",
        database_url,
        "--dev-key-file",
        str(key_file),
    ]
    if bundle is not None:
        args += ["--bundle", str(bundle)]
    if workers > 1:
        args += ["--workers", str(workers)]
    environment = os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    environment["TRIAGE_BUNDLE_ROOT"] = str(
        tmp.parent
    )  # reloads of bundles the tests build beside it
    environment |= env or {}
    log = tmp / f"server-{port}.log"
    process = subprocess.Popen(
        args, cwd=tmp, env=environment, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    _wait_live(process, url, log)
    return Server(process, url, database_url, key_file.read_text().strip(), log)


def _wait_live(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server not live after {timeout} s:\n{log.read_text()[-3000:]}")
