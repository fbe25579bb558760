"""A bundle's model file: skops, whose types are checked before anything is built; the joblib
pickles of bundles exported before it are still read, with a warning to re-export."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import numpy as np

from triage.errors import BundleError
from triage.features import plain_vocabulary

logger = logging.getLogger(__name__)

SKOPS_FILE = "model.skops"
PICKLE_FILE = "model.joblib"
"""Bundles exported before skops: a joblib pickle (it can run any code when loaded)."""
MODEL_FILES = (SKOPS_FILE, PICKLE_FILE)
TRUSTED_MODULE = "triage."
"""Types skops does not trust by default that a model may hold: triage's own classes (skops
trusts scikit-learn, NumPy and SciPy types itself). Anything else is refused."""


def dump_model(model: object, folder: Path) -> str:
    """Write `model` to `folder` with skops (deflate-compressed); returns the file name."""
    dump_skops(model, Path(folder) / SKOPS_FILE)  # skops: ~0.5 s of imports, only when used
    return SKOPS_FILE


def plain_vocabularies(model: object) -> int:
    """`plain_vocabulary` on every fitted vectoriser inside `model`, in place, whatever holds it
    (the featuriser and the text baseline do it when they fit; this catches any other); how many.

    skops writes each NumPy scalar as a file of its own: a 50,000-term vocabulary became 50,000
    `.npy` members, and loading them took most of a bundle's load time."""
    seen: set[int] = set()
    stack: list[object] = [model]
    changed = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (str, bytes, int, float, np.ndarray)):
            continue
        seen.add(id(obj))
        if isinstance(getattr(obj, "vocabulary_", None), dict):
            plain_vocabulary(obj)
            changed += 1
        stack.extend(_children(obj))
    return changed


def _children(obj: object) -> list[object]:
    if isinstance(obj, dict):
        return list(obj.values())
    if isinstance(obj, (list, tuple)):
        return list(obj)
    return list(getattr(obj, "__dict__", {}).values())


def load_model_bytes(files: dict[str, bytes], where: Path) -> object:
    """The model of a bundle from its verified bytes (relative path -> bytes)."""
    if SKOPS_FILE in files:
        return load_skops_bytes(files[SKOPS_FILE], where)
    if PICKLE_FILE in files:
        return load_pickle_bytes(files[PICKLE_FILE], where, PICKLE_FILE)
    raise BundleError(f"{where}: manifest lists no {SKOPS_FILE}; re-export the bundle")


def dump_skops(obj: object, path: Path) -> None:
    """Write any other object of a bundle (e.g. the in-run baseline) as `dump_model` does."""
    import skops.io as sio

    plain_vocabularies(obj)
    sio.dump(obj, path, compression=zipfile.ZIP_DEFLATED, compresslevel=6)


def load_skops_bytes(data: bytes, where: Path, name: str = SKOPS_FILE) -> object:
    """Build the object in skops bytes `data` (file `name` of bundle `where`) when it names no
    types outside triage, scikit-learn, NumPy and SciPy; `BundleError` otherwise."""
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(data=data)
        foreign = [t for t in untrusted if not t.startswith(TRUSTED_MODULE)]
        if foreign:
            raise BundleError(
                f"{where}: {name} names types outside triage, scikit-learn, NumPy and "
                f"SciPy ({', '.join(foreign[:5])}); refusing to load, re-export the bundle"
            )
        return sio.loads(data, trusted=untrusted)
    except BundleError:
        raise
    except Exception as exc:  # a corrupt archive can raise anything; this is the process edge
        raise BundleError(f"{where}: {name} cannot be loaded ({exc}); re-export") from exc


def load_pickle_bytes(data: bytes, where: Path, name: str) -> object:
    """A joblib pickle of a bundle written before skops (it can run any code: only verified
    bytes of bundles exported by triage), with a warning to re-export."""
    import joblib

    logger.warning("%s: %s is a joblib pickle (exported before skops); re-export", where, name)
    try:
        return joblib.load(io.BytesIO(data))
    except Exception as exc:  # a corrupt pickle can raise anything; this is the process edge
        raise BundleError(f"{where}: {name} cannot be loaded ({exc}); re-export") from exc
