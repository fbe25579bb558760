"""Atomic folder writes with SHA-256 checksums: build in a temporary sibling, fsync, swap in.

Every folder `triage` writes (model bundles, retrieval indexes, the ONNX embedder) goes through
`atomic_folder`, so a reader sees the old folder or the new one, never half of one, and a crash
or an error mid-write leaves the old folder as it was. An old folder is replaced only when it is
of the same kind (`triage.outputs.check_replaceable`): a user's file or folder never is.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from triage.errors import OutputError
from triage.outputs import FolderKind, check_replaceable

CHECKSUMS_FILE = "checksums.json"


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def folder_checksums(folder: Path, skip: Collection[str] = ()) -> dict[str, str]:
    """SHA-256 of every file under `folder`, sub-folders included, keyed by POSIX relative path;
    paths in `skip` (e.g. the file the checksums are written to) are left out."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    sums = {p.relative_to(folder).as_posix(): p for p in files}
    return {name: sha256_file(path) for name, path in sums.items() if name not in skip}


@dataclass(frozen=True, slots=True)
class ChecksumProblem:
    """Why a folder does not match its recorded checksums: `kind` is `missing`, `altered` or
    `unlisted`; `path` is relative to the folder."""

    path: str
    kind: str
    detail: str = ""


def find_problem(
    folder: Path, expected: dict[str, str], skip: Collection[str] = ()
) -> ChecksumProblem | None:
    """The first file that is missing, altered or not listed in `expected`, or None."""
    actual = folder_checksums(folder, skip)
    for name, digest in sorted(expected.items()):
        if name not in actual:
            return ChecksumProblem(name, "missing")
        if actual[name] != digest:
            size = (folder / name).stat().st_size
            detail = f"SHA-256 {actual[name][:12]}... != recorded {digest[:12]}... ({size} bytes)"
            return ChecksumProblem(name, "altered", detail)
    added = sorted(set(actual) - set(expected))
    return ChecksumProblem(added[0], "unlisted", ", ".join(added[:3])) if added else None


def write_checksums(folder: Path, name: str = CHECKSUMS_FILE) -> dict[str, str]:
    """Write the SHA-256 of every other file under `folder` to `folder/name`; returns them."""
    sums = folder_checksums(folder, skip={name})
    (folder / name).write_text(json.dumps(sums, indent=2, sort_keys=True) + "\n")
    return sums


def _fsync_tree(folder: Path) -> None:
    """Flush every file and folder under `folder` to disk (so the rename publishes whole files)."""
    for path in sorted(folder.rglob("*"), reverse=True):
        _fsync(path)
    _fsync(folder)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap(work: Path, target: Path) -> None:
    """Put `work` at `target` by rename; an old `target` is renamed away first, then removed."""
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old."))
        os.replace(target, old / target.name)
        os.replace(work, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, target)
    _fsync(target.parent)


@contextmanager
def atomic_folder(
    target: Path, checksums: str | None = None, *, kind: FolderKind
) -> Iterator[Path]:
    """Yield an empty temporary sibling of `target` to fill. On a clean exit the SHA-256 of every
    file is written to `checksums` (a file name inside the folder) when given, everything is
    fsynced and the folder replaces `target` by rename; on an error it is removed and `target`
    is left as it was.

    `target` must be new, empty or a `kind` folder (its marker file inside): anything else
    raises `OutputError` before the caller's work starts, as does a parent nothing can be
    written in."""
    target = Path(target)
    check_replaceable(target, kind)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp."))
    except OSError as exc:
        raise OutputError(
            f"{target}: cannot write in {target.parent} ({exc.strerror or exc}); choose a "
            "folder you can write to"
        ) from exc
    try:
        yield work
        if checksums is not None:
            write_checksums(work, checksums)
        _fsync_tree(work)
        _swap(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
