"""Model bundles on disk: a folder with the model, `manifest.json` and a SHA-256 of every file.

Loading verifies every checksum against the manifest *before* anything is unpickled, so a file
swapped or edited after export is refused rather than executed.
"""

from __future__ import annotations

import json
import logging
import platform
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from triage.atomic import ChecksumProblem, atomic_folder, find_problem, folder_checksums
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


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a bundle depends on (absent ones are skipped)."""
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """`manifest` plus the SHA-256 of every other file in `folder` (`files`), as manifest.json."""
    full = {**manifest, "files": folder_checksums(folder, skip={MANIFEST})}
    (folder / MANIFEST).write_text(json.dumps(full, indent=2, sort_keys=True, default=str))


def write_bundle(
    out_dir: Path,
    model: object,
    manifest: dict[str, Any],
    extra: Callable[[Path], None] | None = None,
) -> Path:
    """Write model + manifest to `out_dir` atomically (see `triage.atomic`).

    `extra(folder)` may add files (e.g. the retrieval index, saved without checksums of its own)
    before the manifest records the SHA-256 of every file: the one checksum layer of a bundle.
    """
    import joblib

    with atomic_folder(Path(out_dir)) as work:
        joblib.dump(model, work / MODEL_FILE, compress=3)
        if extra is not None:
            extra(work)
        header = {
            "schema_version": BUNDLE_SCHEMA_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "libraries": library_versions(),
        }
        _write_manifest(work, {**header, **manifest})
    logger.info("bundle written to %s", out_dir)
    return Path(out_dir)


def copy_bundle(source: Path, out_dir: Path, updates: dict[str, Any]) -> Path:
    """Copy a verified bundle to `out_dir` atomically, with `updates` merged into its manifest
    (e.g. the registry version it was exported from); the copy is verified before it replaces
    `out_dir`."""
    manifest = verify_bundle(source)
    with atomic_folder(Path(out_dir)) as work:
        shutil.copytree(source, work, dirs_exist_ok=True)
        _write_manifest(work, {**manifest, **updates})
        verify_bundle(work)
    logger.info("bundle %s copied to %s", source, out_dir)
    return Path(out_dir)


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
    problem = find_problem(bundle_dir, expected, skip={MANIFEST})
    if problem is not None:
        raise BundleError(_message(bundle_dir, problem))
    return manifest


def _message(bundle_dir: Path, problem: ChecksumProblem) -> str:
    if problem.kind == "missing":
        return f"{bundle_dir}: {problem.path} is missing; re-export the bundle"
    if problem.kind == "altered":
        return (
            f"{bundle_dir}: {problem.path} checksum mismatch (tampered or corrupt); "
            "refusing to load, re-export the bundle"
        )
    return f"{bundle_dir}: files not in the manifest ({problem.detail}); re-export the bundle"


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
