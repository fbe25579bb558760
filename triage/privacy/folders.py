"""Erasure in files: an index folder or a bundle's index (rewritten atomically, still
loadable), the embedding cache, a local MLflow artifact store; and a loaded retriever."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import NDArray

from triage.atomic import atomic_folder, folder_checksums
from triage.errors import VectorIndexError
from triage.model_io import MODEL_FILES
from triage.outputs import BUNDLE
from triage.privacy.guard import TicketPrivacy

if TYPE_CHECKING:
    from triage.retrieval.protocol import RetrieverLike
    from triage.retrieval.retriever import Retriever

logger = logging.getLogger(__name__)


def remove_from_retriever(retriever: RetrieverLike, ticket_ids: Collection[str]) -> int:
    """Remove these tickets from a loaded retriever (vector, lexical terms, metadata); how many
    were there. Run it where the retriever is searched (the service's inference thread)."""
    present = [t for t in ticket_ids if retriever.has_ticket(t)]
    for ticket_id in present:
        retriever.remove(ticket_id)
    return len(present)


class _StampOnly:
    """The name and dimension a saved index was built with, for removing from it without
    loading the model: erasure never embeds."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        raise VectorIndexError("erasure does not embed; load the real embedder to search")


def _load_retriever(folder: Path, verified: bool) -> Retriever:
    from triage.retrieval.retriever import MANIFEST, Retriever

    stamp = json.loads((folder / MANIFEST).read_text())
    return Retriever.load(folder, _StampOnly(stamp["embedder"], stamp["dim"]), verified=verified)


def open_folder_index(path: Path) -> Retriever | None:
    """The retriever in a bundle (`retrieval/`, verified by the bundle's manifest) or in an
    index folder of its own; None when a bundle has no index."""
    from triage.bundle import RETRIEVAL_DIR, verify_bundle

    if (path / "manifest.json").is_file() and _has_model(path):
        verify_bundle(path)
        inner = path / RETRIEVAL_DIR
        return _load_retriever(inner, verified=True) if inner.is_dir() else None
    return _load_retriever(path, verified=False)


def erase_from_folder(path: Path, ticket_ids: Collection[str]) -> int:
    """Remove these tickets from the index in a bundle or an index folder and write it back
    atomically: an index folder with its own checksums, a bundle with its `retrieval/`
    re-saved and its manifest's checksums re-written, so it stays loadable. How many went."""
    path = Path(path)
    retriever = open_folder_index(path)
    if retriever is None:
        return 0
    removed = remove_from_retriever(retriever, ticket_ids)
    if not removed:
        return 0
    if _has_model(path):
        _rewrite_bundle(path, retriever)
    else:
        retriever.save(path)
    logger.info("erased %d tickets from %s", removed, path)
    return removed


def _rewrite_bundle(bundle: Path, retriever: Retriever) -> None:
    from triage.bundle import MANIFEST, RETRIEVAL_DIR, verify_bundle

    manifest = verify_bundle(bundle)
    with atomic_folder(bundle, kind=BUNDLE) as work:
        shutil.copytree(bundle, work, dirs_exist_ok=True)
        retriever.save(work / RETRIEVAL_DIR, checksums=False)  # the manifest covers it
        files = folder_checksums(work, skip={MANIFEST})
        full = {**manifest, "files": files, "erasures": int(manifest.get("erasures", 0)) + 1}
        (work / MANIFEST).write_text(json.dumps(full, indent=2, sort_keys=True, default=str))
        verify_bundle(work)


def forget_cached(cache: Any, texts: Sequence[str]) -> int:
    """Erase the embedding-cache vectors of these texts (`CachedEmbedder.forget`)."""
    return int(cache.forget(list(texts))) if texts else 0


def forget_in_cache_dir(cache_dir: Path, privacy: TicketPrivacy, texts: Sequence[str]) -> int:
    """Erase the vectors of `texts` from the embedding cache of every model under `cache_dir`
    (keys made with this deployment's secret)."""
    from triage.embedding_cache import CachedEmbedder

    if not texts or not Path(cache_dir).is_dir():
        return 0
    removed = 0
    for model in sorted(p for p in Path(cache_dir).iterdir() if p.is_dir()):
        cache = CachedEmbedder(_StampOnly(model.name, 0), Path(cache_dir), privacy.pseudonymizer)
        removed += forget_cached(cache, texts)
    return removed


def erase_in_artifacts(root: Path, ticket_ids: Collection[str]) -> dict[str, int]:
    """Erase the tickets from every copy under a local MLflow artifact store (`mlruns/`): the
    index of each logged bundle (rewritten, checksums re-written) and the rows of each frozen
    test split (`test_tickets.parquet`). A remote store: download, erase, log again."""
    counts = {"mlflow_bundles": 0, "mlflow_eval_rows": 0}
    if not ticket_ids or not Path(root).is_dir():
        return counts
    for manifest in sorted(Path(root).rglob("manifest.json")):
        if _has_model(manifest.parent):
            counts["mlflow_bundles"] += int(erase_from_folder(manifest.parent, ticket_ids) > 0)
    for split in sorted(Path(root).rglob("test_tickets.parquet")):
        counts["mlflow_eval_rows"] += _drop_rows(split, ticket_ids)
    return counts


def _drop_rows(path: Path, ticket_ids: Collection[str]) -> int:
    """Rewrite a tickets Parquet file without these tickets (atomically); how many went."""
    table = pq.read_table(path)
    doomed = pa.array(sorted(ticket_ids), type=pa.string())
    kept = table.filter(pc.invert(pc.is_in(table["ticket_id"], value_set=doomed)))
    gone = int(table.num_rows - kept.num_rows)
    if gone:
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(kept, tmp)
        tmp.replace(path)
    return gone


def _has_model(folder: Path) -> bool:
    """A bundle folder: it holds a model file (skops now, a joblib pickle in older bundles)."""
    return any((folder / name).is_file() for name in MODEL_FILES)
