"""Retrieval folders on disk: atomic writes, and SHA-256 checksums when a folder stands alone.

A retriever or an index saved on its own (`triage index build`) carries one `checksums.json`
over every file under it, verified on read. Saved inside a model bundle it carries none: the
bundle's manifest covers its files once, and the bundle is verified before it is read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from triage.atomic import CHECKSUMS_FILE, ChecksumProblem, atomic_folder, find_problem
from triage.errors import VectorIndexError
from triage.outputs import FolderKind


def write_folder(
    target: Path,
    files: dict[str, bytes],
    extra: Callable[[Path], dict[str, bytes]] | None = None,
    *,
    kind: FolderKind,
    checksums: bool = True,
) -> Path:
    """Write `files` (name -> bytes) into `target` atomically (see `triage.atomic`).

    `extra(tmp_dir)` may write sub-folders (e.g. a nested index, saved with `checksums=False`)
    and return more files to write. With `checksums`, `checksums.json` records the SHA-256 of
    every file under the folder, sub-folders included; without, the caller's container (a
    bundle manifest) must. An existing `target` is replaced only when it is a `kind` folder
    (`triage.outputs.check_replaceable`).
    """
    with atomic_folder(Path(target), CHECKSUMS_FILE if checksums else None, kind=kind) as work:
        files = {**files, **(extra(work) if extra is not None else {})}
        for name, data in files.items():
            (work / name).write_bytes(data)
    return Path(target)


def read_folder(
    source: Path, names: tuple[str, ...], *, verified: bool = False
) -> dict[str, bytes]:
    """Read `names` from a folder written by `write_folder`.

    Unless `verified` (the caller checked the files already, e.g. against a bundle manifest),
    every file under the folder must match its recorded SHA-256 first: `VectorIndexError`
    names a file that is missing, truncated, altered or added.
    """
    source = Path(source)
    if not verified:
        verify_folder(source)
    return {name: _read(source / name) for name in names}


def verify_folder(source: Path) -> None:
    """Check every file under `source` against the `checksums.json` of its folder or above.

    Folders saved before checksums covered sub-folders keep one `checksums.json` per folder;
    they verify the same way.
    """
    expected, sums_files = _recorded(Path(source))
    problem = find_problem(Path(source), expected, skip=sums_files)
    if problem is not None:
        raise VectorIndexError(_message(Path(source), problem))


def _recorded(source: Path) -> tuple[dict[str, str], set[str]]:
    """(relative path -> SHA-256, the checksum files) from every `checksums.json` under
    `source`, the top one first (it wins for a path listed twice)."""
    if not (source / CHECKSUMS_FILE).is_file():
        raise VectorIndexError(
            f"{source}: no {CHECKSUMS_FILE}; not a saved index, rebuild it "
            "(a bundle's retrieval folder is checked through the bundle's manifest)"
        )
    expected: dict[str, str] = {}
    sums_files = sorted(source.rglob(CHECKSUMS_FILE), key=lambda p: len(p.parts))
    for sums_file in sums_files:
        base = sums_file.parent.relative_to(source)
        for name, digest in _parse(sums_file).items():
            expected.setdefault((base / name).as_posix(), digest)
    return expected, {p.relative_to(source).as_posix() for p in sums_files}


def _parse(sums_file: Path) -> dict[str, str]:
    try:
        sums = json.loads(sums_file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise VectorIndexError(
            f"{sums_file}: unreadable ({exc}); the index is damaged, rebuild it"
        ) from exc
    if not isinstance(sums, dict):
        raise VectorIndexError(
            f"{sums_file}: not a checksum table; the index is damaged, rebuild it"
        )
    return {str(k): str(v) for k, v in sums.items()}


def _message(source: Path, problem: ChecksumProblem) -> str:
    if problem.kind == "missing":
        return f"{source / problem.path}: missing; the index is incomplete, rebuild it"
    if problem.kind == "altered":
        return (
            f"{source / problem.path}: {problem.detail}; "
            "the file is truncated or altered, rebuild the index"
        )
    return (
        f"{source}: files not in {CHECKSUMS_FILE} ({problem.detail}); "
        "the index was changed after it was saved, rebuild it"
    )


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise VectorIndexError(f"{path}: missing; the index is incomplete, rebuild it")
    return path.read_bytes()
