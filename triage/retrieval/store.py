"""Atomic folder writes with SHA-256 checksums, verified on read."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from triage.errors import VectorIndexError

CHECKSUMS_FILE = "checksums.json"


def sha256(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def write_folder(
    target: Path,
    files: dict[str, bytes],
    extra: Callable[[Path], dict[str, bytes]] | None = None,
) -> Path:
    """Write `files` (name -> bytes) plus `checksums.json` into `target`, atomically.

    Everything goes to a temporary sibling folder that replaces `target` at the end, so readers see
    the old folder or the new one, never half of it. `extra(tmp_dir)` may write sub-folders that
    carry their own checksums (e.g. a nested index) and return more files to write and checksum.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp."))
    try:
        files = {**files, **(extra(work) if extra is not None else {})}
        for name, data in files.items():
            _write_synced(work / name, data)
        sums = {name: sha256(data) for name, data in files.items()}
        _write_synced(work / CHECKSUMS_FILE, json.dumps(sums, indent=2).encode())
        _swap(work, target)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return target


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _swap(new: Path, target: Path) -> None:
    if not target.exists():
        os.replace(new, target)
        return
    old = target.parent / f".{target.name}.old.{os.getpid()}"
    if old.exists():
        shutil.rmtree(old)
    os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old)


def read_folder(source: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    """Read `names` from a folder written by `write_folder`, verifying each SHA-256.

    Raises `VectorIndexError` naming the file when it is missing, truncated or altered.
    """
    source = Path(source)
    sums_file = source / CHECKSUMS_FILE
    if not sums_file.is_file():
        raise VectorIndexError(f"{source}: no {CHECKSUMS_FILE}; not a saved index, rebuild it")
    try:
        sums = json.loads(sums_file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise VectorIndexError(
            f"{sums_file}: unreadable ({exc}); the index is damaged, rebuild it"
        ) from exc
    return {name: _verified(source / name, sums.get(name)) for name in names}


def _verified(path: Path, expected: str | None) -> bytes:
    if expected is None:
        raise VectorIndexError(f"{path}: no checksum recorded; the index is damaged, rebuild it")
    if not path.is_file():
        raise VectorIndexError(f"{path}: missing; the index is incomplete, rebuild it")
    data = path.read_bytes()
    actual = sha256(data)
    if actual != expected:
        raise VectorIndexError(
            f"{path}: SHA-256 {actual[:12]}... != recorded {expected[:12]}... "
            f"({len(data)} bytes); the file is truncated or altered, rebuild the index"
        )
    return data
