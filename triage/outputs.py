"""Where a command may write: the checks every output path passes before any work starts.

The rule: an existing output is replaced only when it is a folder the same kind of command wrote
before, recognised by the marker file that kind puts in it (or an empty folder, which holds
nothing to lose). A regular file, a folder without the marker, the current folder, a path that
is, holds or lies inside one of the command's inputs, a path inside a model bundle (whose
manifest checksums every file), or a place nothing can be written is refused with `OutputError`
(the CLI's exit 2), before any work and before anything is removed. Single files are replaced
only when they are of the kind the command writes (`check_file_out`'s `replaceable`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from triage.errors import OutputError

SHOWN_FILES = 3
"""How many of a refused folder's entries a message names."""


@dataclass(frozen=True, slots=True)
class FolderKind:
    """A kind of output folder: what it is called (with its article), the marker file its
    writer always puts in it, and the command that writes it (for messages)."""

    name: str
    marker: str
    command: str


SCORES = FolderKind("a scores or vectors folder", "_triage.json", "triage score")
RETRIEVER = FolderKind("a retrieval index", "retriever.json", "triage index build")
VECTOR_INDEX = FolderKind("a vector index", "index.faiss", "a retrieval index")
BUNDLE = FolderKind("a model bundle", "manifest.json", "triage export")
EMBEDDER = FolderKind("an ONNX embedder", "embedder.json", "triage embedder export")

Inputs = Mapping[str, "Path | str | None"]
"""A command's inputs by option name (`{"--data": path, "--bundle": None}`); None is skipped."""


def check_replaceable(target: Path, kind: FolderKind, label: str = "output") -> None:
    """`OutputError` unless `target` may become a `kind` folder: it does not exist yet, or it
    is an empty folder or a folder holding `kind.marker`; never the current folder or above."""
    target = Path(target)
    _check_not_cwd(target, label)
    if not os.path.lexists(target):
        return
    if not target.is_dir():
        raise OutputError(
            f"{label} {target}: an existing file, not a folder; {kind.command} writes a "
            f"folder there and never replaces a file. Choose a new folder, or remove the file "
            "first if it is no longer needed"
        )
    if (target / kind.marker).is_file():
        return
    entries = sorted(p.name for p in target.iterdir())
    if entries:
        shown = ", ".join(entries[:SHOWN_FILES]) + (", ..." if len(entries) > SHOWN_FILES else "")
        raise OutputError(
            f"{label} {target}: an existing folder that is not {kind.name} (no {kind.marker}; "
            f"it holds {shown}), and writing there would delete what it holds. Choose a new "
            f"folder, or remove this one first if it is no longer needed"
        )


def check_folder_out(
    target: Path, kind: FolderKind, inputs: Inputs | None = None, label: str = "--out"
) -> None:
    """Everything a folder output must pass before the work: `check_replaceable`, apart from
    every input (`check_apart`), and a parent that exists or can be made, and is writable."""
    check_replaceable(target, kind, label)
    check_apart(target, inputs or {}, label)
    check_outside_bundle(target, label)
    check_writable(target, label)


def check_file_out(
    target: Path,
    inputs: Inputs | None = None,
    label: str = "--out",
    replaceable: Callable[[Path], str | None] | None = None,
) -> None:
    """Everything a single-file output must pass before the work: not a folder, not the
    current folder, apart from every input, a writable parent; an existing file is replaced
    unless `replaceable(path)` says why not (a reason string)."""
    target = Path(target)
    _check_not_cwd(target, label)
    if target.is_dir():
        raise OutputError(
            f"{label} {target}: an existing folder; this option writes a file. Give a file "
            f"name, e.g. {target / 'report.json'}"
        )
    check_apart(target, inputs or {}, label)
    check_outside_bundle(target, label)
    reason = replaceable(target) if replaceable is not None and target.exists() else None
    if reason is not None:
        raise OutputError(
            f"{label} {target}: an existing file that {reason}; it is not replaced. Choose a "
            "new file name, or remove this file first if it is no longer needed"
        )
    check_writable(target, label)


def check_folder_into(
    target: Path,
    inputs: Inputs,
    names: Sequence[str],
    label: str = "--out",
    replaceable: Mapping[str, Callable[[Path], str | None]] | None = None,
) -> None:
    """Everything a folder that files are written into (its other files kept, e.g. a dataset
    beside its KB articles) must pass before the work: not a file, none of `names` in it an
    input, and writable; an existing file among `names` is replaced unless its
    `replaceable[name](path)` says why not (a reason string)."""
    target = Path(target)
    if os.path.lexists(target) and not target.is_dir():
        raise OutputError(
            f"{label} {target}: an existing file; this option takes a folder to write "
            f"{', '.join(names)} into. Choose a folder, or remove the file first if it is no "
            "longer needed"
        )
    for name in names:
        check_apart(target / name, inputs, label)
        why_not = (replaceable or {}).get(name)
        reason = why_not(target / name) if why_not and os.path.lexists(target / name) else None
        if reason is not None:
            raise OutputError(
                f"{label} {target}: its {name} {reason}; it is not replaced. Choose another "
                f"folder, or remove {target / name} first if it is no longer needed"
            )
    check_writable(target / names[0], label)


def check_apart(target: Path, inputs: Inputs, label: str = "--out") -> None:
    """`OutputError` when `target` is, holds or lies inside an input path (resolved first:
    `./a/../b` and a symbolic link count as what they name); URIs are skipped."""
    out = _resolved(target)
    for option, value in inputs.items():
        if value is None or "://" in str(value):
            continue
        source = _resolved(Path(value))
        if out == source:
            how = "is"
        elif out in source.parents:
            how = "holds"
        elif source in out.parents:
            how = "lies inside"
        else:
            continue
        raise OutputError(
            f"{label} {target} {how} the {option} input {value}; writing there would destroy "
            f"the input. Give {label} a new path outside {option}"
        )


def check_outside_bundle(target: Path, label: str = "--out") -> None:
    """`OutputError` when `target` lies inside a model bundle (a folder whose `manifest.json`
    lists the checksums of its files): anything written there breaks the bundle's checksums,
    and the service refuses to load it."""
    for folder in _resolved(target).parents:
        if _is_bundle(folder):
            raise OutputError(
                f"{label} {target} lies inside the model bundle {folder}; writing there would "
                "break the bundle's checksums (every file is listed in its manifest.json). "
                "Give a path outside the bundle"
            )


def _is_bundle(folder: Path) -> bool:
    manifest = folder / BUNDLE.marker
    if not manifest.is_file():
        return False
    try:
        values = json.loads(manifest.read_bytes())
    except (OSError, ValueError):
        return False
    return (
        isinstance(values, dict) and isinstance(values.get("files"), dict) and "targets" in values
    )


def check_writable(target: Path, label: str = "--out") -> None:
    """`OutputError` unless `target`'s parent exists or can be made, and can be written in:
    tried by making (and removing) a temporary folder in the nearest existing ancestor."""
    base = Path(target).absolute().parent
    while not os.path.lexists(base) and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise OutputError(
            f"{label} {target}: {base} is a file, so nothing can be written under it; "
            "choose a path in a folder"
        )
    try:
        os.rmdir(tempfile.mkdtemp(dir=base, prefix=".triage-probe."))
    except OSError as exc:
        raise OutputError(
            f"{label} {target}: cannot write in {base} ({exc.strerror or exc}); choose a "
            "folder you can write to"
        ) from exc


def _check_not_cwd(target: Path, label: str) -> None:
    out, here = _resolved(target), Path.cwd().resolve()
    if out == here or out in here.parents:
        raise OutputError(
            f"{label} {target}: the current folder{' or one above it' if out != here else ''}; "
            "an output there would replace it. Give a new folder name, e.g. ./out"
        )


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(Path(path).expanduser()))
