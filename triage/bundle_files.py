"""Reading a bundle once: no symlinks, out-of-root refused, every byte hashed as it is read."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.errors import BundleError

MANIFEST = "manifest.json"


class BundleOutsideRoot(BundleError):
    """A bundle folder outside the bundle root, or reached through a symlink."""


@dataclass(frozen=True, slots=True)
class VerifiedBundle:
    """A bundle's files as read once and checked against its manifest: loaders deserialise
    these bytes, never the files again (a file swapped after the check is never used)."""

    folder: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    """SHA-256 of manifest.json's bytes (what the registry records for the version)."""
    files: dict[str, bytes]
    """POSIX path relative to the bundle -> bytes, every file the manifest lists."""

    def materialise(self, prefix: str, into: Path) -> Path | None:
        """Write the files under `prefix/` into `into/prefix` (a private folder, for loaders
        that read a folder); None when the bundle has none."""
        chosen = {n: b for n, b in self.files.items() if n.startswith(prefix + "/")}
        if not chosen:
            return None
        for name, data in chosen.items():
            path = into / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return into / prefix


def check_under_root(bundle_dir: Path, root: Path) -> Path:
    """`bundle_dir` as an absolute path, once it lies under `root` with no symlink between them;
    `BundleOutsideRoot` (saying what to do) otherwise."""
    root_abs = Path(os.path.abspath(root))
    target = Path(os.path.abspath(bundle_dir))
    if not target.is_relative_to(root_abs) or target == root_abs:
        raise BundleOutsideRoot(
            f"{bundle_dir} is outside TRIAGE_BUNDLE_ROOT ({root_abs}, default: the models "
            "folder); export bundles under it"
        )
    here = root_abs
    for part in target.relative_to(root_abs).parts:
        here = here / part
        if here.is_symlink():
            raise BundleOutsideRoot(f"{here} is a symlink; bundles load from real folders only")
    if not target.resolve().is_relative_to(root_abs.resolve()):
        raise BundleOutsideRoot(f"{bundle_dir} resolves outside TRIAGE_BUNDLE_ROOT ({root_abs})")
    return target


def _read_no_follow(path: Path) -> bytes:
    """The bytes of a regular file, opened without following a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise BundleError(f"{path}: cannot be read ({exc.strerror}); re-export the bundle") from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise BundleError(f"{path}: not a regular file; re-export the bundle")
        return handle.read()


def _walk(folder: Path) -> list[str]:
    """Every file under `folder` (POSIX relative paths); a symlink anywhere is refused."""
    if folder.is_symlink():
        raise BundleError(f"{folder} is a symlink; bundles load from real folders only")
    if not folder.is_dir():
        raise BundleError(f"{folder}: no such bundle folder; run `triage export` first")
    names: list[str] = []
    for base, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(base) / name
            if path.is_symlink():
                raise BundleError(f"{path} is a symlink; bundles hold real files only, re-export")
        names += [(Path(base) / f).relative_to(folder).as_posix() for f in files]
    return sorted(names)


def read_verified(folder: Path) -> VerifiedBundle:
    """Read every file of a bundle once, hash those bytes, and compare with the manifest: a
    missing, altered, truncated or unlisted file, or a symlink, is a `BundleError`."""
    folder = Path(folder)
    names = _walk(folder)
    if MANIFEST not in names:
        raise BundleError(f"{folder}: no {MANIFEST}; not a triage bundle, re-run `triage export`")
    raw = _read_no_follow(folder / MANIFEST)
    try:
        manifest: dict[str, Any] = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(f"{folder / MANIFEST}: unreadable ({exc}); re-export the bundle") from exc
    expected: dict[str, str] = manifest.get("files", {})
    unlisted = sorted(set(names) - set(expected) - {MANIFEST})
    if unlisted:
        raise BundleError(
            f"{folder}: files not in the manifest ({', '.join(unlisted[:3])}); re-export"
        )
    files = {name: _checked(folder, name, digest) for name, digest in sorted(expected.items())}
    return VerifiedBundle(folder, manifest, hashlib.sha256(raw).hexdigest(), files)


def read_checked(folder: Path, manifest: Mapping[str, Any], name: str) -> bytes:
    """One file of a bundle whose manifest was read: its bytes once they match the SHA-256 the
    manifest lists (`BundleError` when unlisted, missing, altered or a symlink)."""
    digest = manifest.get("files", {}).get(name)
    if digest is None:
        raise BundleError(f"{folder}: {name} is not in the manifest; re-export the bundle")
    return _checked(Path(folder), name, str(digest))


def _checked(folder: Path, name: str, digest: str) -> bytes:
    path = folder / name
    if not path.exists() and not path.is_symlink():
        raise BundleError(f"{folder}: {name} is missing; re-export the bundle")
    data = _read_no_follow(path)
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        raise BundleError(
            f"{folder}: {name} checksum mismatch (SHA-256 {actual[:12]}... != recorded "
            f"{digest[:12]}..., {len(data)} bytes; tampered or truncated); refusing to load, "
            "re-export the bundle"
        )
    return data


def manifest_sha256(folder: Path) -> str:
    """SHA-256 of a bundle's manifest.json (recorded in the registry at registration)."""
    return hashlib.sha256(_read_no_follow(Path(folder) / MANIFEST)).hexdigest()
