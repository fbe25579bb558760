"""Model bundles on disk: a folder with the model, `manifest.json` and a SHA-256 of every file.

Loading verifies every checksum against the manifest *before* anything is unpickled, so a file
swapped or edited after export is refused rather than executed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from triage.errors import BundleError

logger = logging.getLogger(__name__)

BUNDLE_SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
MODEL_FILE = "model.joblib"
RETRIEVAL_DIR = "retrieval"
_LIBRARIES = (
    "triage",
    "scikit-learn",
    "numpy",
    "scipy",
    "sentence-transformers",
    "faiss-cpu",
    "joblib",
)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a bundle depends on (absent ones are skipped)."""
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder` but its top manifest, keyed by POSIX relative path."""
    top = folder / MANIFEST
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p != top)
    return {p.relative_to(folder).as_posix(): sha256_file(p) for p in files}


def write_bundle(
    out_dir: Path,
    model: object,
    manifest: dict[str, Any],
    extra: Callable[[Path], None] | None = None,
) -> Path:
    """Write model + manifest to `out_dir` atomically (built in a temp folder, then renamed).

    `extra(folder)` may add files (e.g. the retrieval index) before checksums are taken.
    """
    import joblib

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}."))
    try:
        joblib.dump(model, work / MODEL_FILE, compress=3)
        if extra is not None:
            extra(work)
        full = {
            "schema_version": BUNDLE_SCHEMA_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "libraries": library_versions(),
            **manifest,
            "files": checksums(work),
        }
        (work / MANIFEST).write_text(json.dumps(full, indent=2, sort_keys=True, default=str))
        _swap_in(work, out_dir)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    logger.info("bundle written to %s", out_dir)
    return out_dir


def _swap_in(work: Path, out_dir: Path) -> None:
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out_dir, old)
        os.replace(work, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, out_dir)


def read_manifest(bundle_dir: Path) -> dict[str, Any]:
    """The parsed manifest; raises `BundleError` when missing, unreadable or of another schema."""
    path = Path(bundle_dir) / MANIFEST
    if not Path(bundle_dir).is_dir():
        raise BundleError(f"{bundle_dir}: no such bundle folder; run `triage export` first")
    if not path.is_file():
        raise BundleError(
            f"{bundle_dir}: no {MANIFEST}; not a triage bundle, re-run `triage export`"
        )
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise BundleError(f"{path}: unreadable manifest ({exc}); re-export the bundle") from exc
    version = manifest.get("schema_version")
    if version != BUNDLE_SCHEMA_VERSION:
        raise BundleError(
            f"{bundle_dir}: bundle schema {version} != {BUNDLE_SCHEMA_VERSION} this triage reads; "
            "re-export the bundle with this version"
        )
    return manifest


def verify_bundle(bundle_dir: Path) -> dict[str, Any]:
    """Manifest, once every listed file matches its SHA-256 and no file was added."""
    bundle_dir = Path(bundle_dir)
    manifest = read_manifest(bundle_dir)
    expected: dict[str, str] = manifest.get("files", {})
    if MODEL_FILE not in expected:
        raise BundleError(f"{bundle_dir}: manifest lists no {MODEL_FILE}; re-export the bundle")
    actual = checksums(bundle_dir)
    for name, digest in expected.items():
        if name not in actual:
            raise BundleError(f"{bundle_dir}: {name} is missing; re-export the bundle")
        if actual[name] != digest:
            raise BundleError(
                f"{bundle_dir}: {name} checksum mismatch (tampered or corrupt); refusing to load, "
                "re-export the bundle"
            )
    added = sorted(set(actual) - set(expected))
    if added:
        raise BundleError(
            f"{bundle_dir}: files not in the manifest {added[:3]}; re-export the bundle"
        )
    return manifest


def load_model(bundle_dir: Path) -> tuple[dict[str, Any], object]:
    """(manifest, model) of a verified bundle; unpickles only after every checksum matched."""
    import joblib

    manifest = verify_bundle(bundle_dir)
    try:
        model = joblib.load(Path(bundle_dir) / MODEL_FILE)
    except Exception as exc:  # a corrupt pickle can raise anything; this is the process edge
        raise BundleError(
            f"{bundle_dir}: {MODEL_FILE} cannot be loaded ({exc}); re-export"
        ) from exc
    return manifest, model
