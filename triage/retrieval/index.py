"""`VectorIndex`: FAISS inner-product search with stable string ids, metadata and filters."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from triage.errors import VectorIndexError
from triage.outputs import VECTOR_INDEX
from triage.retrieval.store import read_folder, write_folder

logger = logging.getLogger(__name__)

KINDS = ("auto", "flat", "hnsw")
FORMAT_VERSION = 1
_FILES = ("index.faiss", "records.json", "manifest.json")

Filter = Callable[[dict[str, Any]], bool]

EXACT_BLOCK = 256
"""Queries per matrix product in an exact search: bounds the (block, n) score matrix."""
SMALL_BATCH = 16
"""Up to this many queries an exact search multiplies with the stored matrix on the left."""
ONE_THREAD_ROWS = 64
"""Up to this many queries an exact search runs on one BLAS thread (the service's micro-batches):
on the 2-core machine OpenBLAS's second thread only waits on a busy core for products this small."""


def set_search_threads(threads: int) -> None:
    """Cap FAISS's OpenMP threads. One thread per search is fastest for single queries on a
    small, busy machine (measured: exact search at 10k went from 0.5 ms to 24 ms with 2 threads
    under load); batch builds may use more.

    OpenMP keeps this setting per thread: call it on the thread that searches (the service's
    inference thread), not only on the main thread."""
    import faiss

    faiss.omp_set_num_threads(threads)


@functools.cache
def _blas() -> Any:
    """threadpoolctl's controller (scanning the loaded libraries costs ms: once per process)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: external id, inner-product score (cosine for unit vectors), metadata."""

    id: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)


class VectorIndex:
    """Vectors of dimension `dim` under stable string ids, searched by inner product.

    `kind="auto"` keeps an exact `IndexFlatIP` below `approx_threshold` vectors and switches to
    HNSW (`hnsw_m` links, `ef_search` candidates) at or above it; "flat" and "hnsw" force one.
    Removal deletes the vector and its metadata (an HNSW graph is rebuilt without it).
    Metadata must be JSON-serialisable (timestamps as ISO strings).
    """

    def __init__(
        self,
        dim: int,
        *,
        kind: str = "auto",
        approx_threshold: int = 50_000,
        metric: str = "ip",
        hnsw_m: int = 32,
        ef_construction: int = 80,
        ef_search: int = 64,
    ) -> None:
        if kind not in KINDS:
            raise VectorIndexError(f"index kind {kind!r} is unknown; use one of {', '.join(KINDS)}")
        if metric != "ip":
            raise VectorIndexError(
                f"metric {metric!r} is not supported; use 'ip' with unit vectors"
            )
        if dim <= 0:
            raise VectorIndexError(f"dim must be positive, got {dim}")
        self.dim, self.kind, self.approx_threshold, self.metric = (
            dim,
            kind,
            approx_threshold,
            metric,
        )
        self.hnsw_m, self.ef_construction, self.ef_search = hnsw_m, ef_construction, ef_search
        self._labels: dict[str, int] = {}
        self._records: dict[int, tuple[str, dict[str, Any]]] = {}
        self._next_label = 0
        self.kind_ = self._target_kind(0)
        self._faiss: Any = self._new_faiss(self.kind_)
        self._flat: tuple[NDArray[np.int64], NDArray[np.float32]] | None = None

    # -- construction -------------------------------------------------------------------------
    def _target_kind(self, n: int) -> str:
        if self.kind == "auto":
            return "hnsw" if n >= self.approx_threshold else "flat"
        return self.kind

    def _new_faiss(self, kind: str) -> Any:
        import faiss

        inner: Any
        if kind == "flat":
            inner = faiss.IndexFlatIP(self.dim)
        else:
            inner = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = self.ef_construction
            inner.hnsw.efSearch = self.ef_search
        return faiss.IndexIDMap2(inner)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, item: object) -> bool:
        return item in self._labels

    @property
    def ids(self) -> list[str]:
        """External ids in insertion order."""
        return [self._records[label][0] for label in sorted(self._records)]

    def metadata(self, item_id: str) -> dict[str, Any]:
        """Metadata stored with `item_id`; raises `VectorIndexError` if absent."""
        if item_id not in self._labels:
            raise VectorIndexError(f"id {item_id!r} is not in the index")
        return self._records[self._labels[item_id]][1]

    def _as_matrix(self, vectors: ArrayLike, rows: int | None = None) -> NDArray[np.float32]:
        matrix = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
        if matrix.ndim == 1 and matrix.size == self.dim:
            matrix = matrix.reshape(1, -1)
        if matrix.ndim != 2 or matrix.shape[1] != self.dim:
            raise VectorIndexError(
                f"vectors have shape {matrix.shape}, the index expects (n, {self.dim}); "
                "use the embedder the index was built with"
            )
        if rows is not None and matrix.shape[0] != rows:
            raise VectorIndexError(
                f"{matrix.shape[0]} vectors for {rows} ids; pass one vector per id"
            )
        if not np.isfinite(matrix).all():
            raise VectorIndexError("vectors contain NaN or infinity; check the embedder output")
        return matrix

    # -- mutation -----------------------------------------------------------------------------
    def add(
        self,
        ids: Sequence[str],
        vectors: ArrayLike,
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        """Add (or replace) `len(ids)` vectors of shape (n, dim) with optional metadata dicts."""
        ids = [str(i) for i in ids]
        matrix = self._as_matrix(vectors, rows=len(ids))
        metas = list(metadata) if metadata is not None else [{} for _ in ids]
        if len(metas) != len(ids):
            raise VectorIndexError(f"{len(metas)} metadata dicts for {len(ids)} ids")
        if len(set(ids)) != len(ids):
            raise VectorIndexError("duplicate ids in one add(); each id must appear once")
        replaced = [i for i in ids if i in self._labels]
        if replaced:
            self.remove(replaced)
        labels = np.arange(self._next_label, self._next_label + len(ids), dtype=np.int64)
        self._next_label += len(ids)
        for label, item_id, meta in zip(labels.tolist(), ids, metas, strict=True):
            self._labels[item_id] = label
            self._records[label] = (item_id, dict(meta))
        if len(ids):
            self._flat = None  # FAISS may move its storage
            self._faiss.add_with_ids(matrix, labels)
        self._maybe_switch_kind()

    def remove(self, ids: Sequence[str] | str) -> int:
        """Delete ids (and their vectors and metadata); returns how many were present."""
        import faiss

        wanted = [ids] if isinstance(ids, str) else list(ids)
        labels = [self._labels.pop(i) for i in wanted if i in self._labels]
        for label in labels:
            del self._records[label]
        if not labels:
            return 0
        self._flat = None
        if self.kind_ == "flat":
            self._faiss.remove_ids(faiss.IDSelectorBatch(np.asarray(labels, dtype=np.int64)))
        else:
            self._rebuild(self.kind_, drop=set(labels))
        return len(labels)

    def _stored(self) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Labels and vectors currently in FAISS, in insertion order."""
        import faiss

        inner = faiss.downcast_index(self._faiss.index)
        labels = faiss.vector_to_array(self._faiss.id_map).astype(np.int64)
        if inner.ntotal == 0:
            return labels, np.zeros((0, self.dim), dtype=np.float32)
        return labels, inner.reconstruct_n(0, inner.ntotal)

    def _rebuild(self, kind: str, drop: set[int] | None = None) -> None:
        labels, vectors = self._stored()
        if drop:
            keep = np.array([label not in drop for label in labels.tolist()], dtype=bool)
            labels, vectors = labels[keep], vectors[keep]
        fresh = self._new_faiss(kind)
        if len(labels):
            fresh.add_with_ids(np.ascontiguousarray(vectors), labels)
        self._faiss, self.kind_, self._flat = fresh, kind, None
        logger.info("rebuilt %s index with %d vectors", kind, len(labels))

    def _maybe_switch_kind(self) -> None:
        target = self._target_kind(len(self))
        if target != self.kind_:
            self._rebuild(target)

    def vectors(self, ids: Sequence[str]) -> NDArray[np.float32]:
        """Stored vectors of shape (len(ids), dim) for known ids."""
        missing = [i for i in ids if i not in self._labels]
        if missing:
            raise VectorIndexError(f"ids not in the index: {missing[:5]}")
        if not ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        labels = np.fromiter((self._labels[i] for i in ids), dtype=np.int64, count=len(ids))
        # One FAISS call for all ids (a Python loop of `reconstruct` cost ~1 ms per query).
        out: NDArray[np.float32] = self._faiss.reconstruct_batch(labels).astype(np.float32)
        return out.reshape(len(ids), self.dim)

    # -- search -------------------------------------------------------------------------------
    def search(
        self, query_vectors: ArrayLike, k: int, *, filter: Filter | None = None
    ) -> list[list[Hit]]:
        """The `k` best hits per query row (query shape (m, dim) or (dim,)), best first.

        With `filter`, only hits whose metadata passes are returned; the index over-fetches and
        widens until it has `k` passing hits or has seen every vector.
        """
        queries = self._as_matrix(query_vectors)
        if k <= 0 or len(self) == 0:
            return [[] for _ in range(queries.shape[0])]
        if filter is None:  # one FAISS call for every query (a matrix product when exact)
            return self._raw_search(queries, min(len(self), k))
        return [self._search_one(row[None, :], k, filter) for row in queries]

    def _search_one(self, query: NDArray[np.float32], k: int, keep: Filter | None) -> list[Hit]:
        n = len(self)
        fetch = min(n, k if keep is None else max(4 * k, 32))
        while True:
            hits = self._raw_search(query, fetch)[0]
            if keep is not None:
                hits = [h for h in hits if keep(h.metadata)]
            if len(hits) >= k or fetch >= n:
                return hits[:k]
            fetch = min(n, fetch * 4)

    def _raw_search(self, queries: NDArray[np.float32], fetch: int) -> list[list[Hit]]:
        """The `fetch` nearest hits of each query row (m, dim)."""
        if self.kind_ == "flat":
            return self._exact_search(queries, fetch)
        params = None
        if self.kind_ == "hnsw":
            import faiss

            # Per-call parameters, so concurrent searches never race on a shared efSearch.
            ef = max(self.ef_search, fetch)
            params = faiss.SearchParametersHNSW(efSearch=ef)  # type: ignore[attr-defined]
        scores, labels = self._faiss.search(queries, fetch, params=params)
        return [
            self._hits(row_scores, row_labels)
            for row_scores, row_labels in zip(scores.tolist(), labels.tolist(), strict=True)
        ]

    def _exact_search(self, queries: NDArray[np.float32], fetch: int) -> list[list[Hit]]:
        """Exact inner-product search as NumPy products over FAISS's own storage.

        FAISS's flat search does not batch well on one thread: 32 queries over 19.6k vectors took
        37 ms, the product plus a partial sort 10-15 ms, one query about 1 ms either way (2-core
        machine). Equal scores rank in insertion order. A lone query is a matrix-vector product,
        a batch a matrix-matrix one: their scores can differ in the last bit (about 1e-7), as
        FAISS's own scan and its BLAS path (from 20 queries) did."""
        labels, stored = self._flat_view()
        fetch = min(fetch, len(labels))
        out: list[list[Hit]] = []
        for start in range(0, len(queries), EXACT_BLOCK):
            scores = _scores(queries[start : start + EXACT_BLOCK], stored)
            rows = _top_rows(scores, fetch)
            best = np.take_along_axis(scores, rows, axis=1)
            out.extend(
                self._hits(s, labels[r].tolist()) for s, r in zip(best.tolist(), rows, strict=True)
            )
        return out

    def _flat_view(self) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Labels (n,) and a zero-copy (n, dim) view of the exact index's vectors, in FAISS's
        row order; cached until the next change (`add`, `remove`, a rebuild or a load reset it,
        since FAISS may move its storage then)."""
        if self._flat is None:
            import faiss

            inner: Any = faiss.downcast_index(self._faiss.index)  # an IndexFlatIP
            labels = faiss.vector_to_array(self._faiss.id_map).astype(np.int64)
            size = inner.ntotal * self.dim
            view = faiss.rev_swig_ptr(inner.get_xb(), size) if size else np.zeros(0, np.float32)
            self._flat = labels, np.asarray(view, dtype=np.float32).reshape(-1, self.dim)
        return self._flat

    def _hits(self, scores: list[float], labels: list[int]) -> list[Hit]:
        hits = []
        for score, label in zip(scores, labels, strict=True):
            record = self._records.get(label)
            if label >= 0 and record is not None:
                hits.append(Hit(record[0], float(score), record[1]))
        return hits

    # -- persistence --------------------------------------------------------------------------
    def _manifest(self) -> dict[str, Any]:
        import faiss

        return {
            "format": FORMAT_VERSION,
            "dim": self.dim,
            "kind": self.kind,
            "kind_": self.kind_,
            "approx_threshold": self.approx_threshold,
            "metric": self.metric,
            "hnsw_m": self.hnsw_m,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
            "next_label": self._next_label,
            "count": len(self),
            "faiss_version": faiss.__version__,
        }

    def save(self, directory: Path, *, checksums: bool = True) -> Path:
        """Write `index.faiss`, `records.json`, `manifest.json` (and, unless nested in a folder
        that checksums it, `checksums.json`) atomically."""
        import faiss

        order = sorted(self._records)
        records = {
            "labels": order,
            "ids": [self._records[label][0] for label in order],
            "metadata": [self._records[label][1] for label in order],
        }
        files = {
            "index.faiss": faiss.serialize_index(self._faiss).tobytes(),
            "records.json": json.dumps(records, default=str).encode(),
            "manifest.json": json.dumps(self._manifest(), indent=2).encode(),
        }
        return write_folder(Path(directory), files, kind=VECTOR_INDEX, checksums=checksums)

    @classmethod
    def load(cls, directory: Path, *, verified: bool = False) -> VectorIndex:
        """Read an index written by `save`; a missing, truncated or altered file raises
        `VectorIndexError` (`verified`: its files were checked by the folder around it)."""
        files = read_folder(Path(directory), _FILES, verified=verified)
        manifest, records = (
            _parse_json(directory, files, "manifest.json"),
            _parse_json(directory, files, "records.json"),
        )
        if manifest.get("format") != FORMAT_VERSION:
            raise VectorIndexError(
                f"{directory}: index format {manifest.get('format')} unknown; rebuild it"
            )
        index = cls(
            manifest["dim"],
            kind=manifest["kind"],
            approx_threshold=manifest["approx_threshold"],
            hnsw_m=manifest["hnsw_m"],
            ef_construction=manifest["ef_construction"],
            ef_search=manifest["ef_search"],
        )
        index._restore(directory, files["index.faiss"], manifest, records)
        return index

    def _restore(
        self, directory: Path, blob: bytes, manifest: dict[str, Any], records: dict[str, Any]
    ) -> None:
        import faiss

        try:
            restored = faiss.deserialize_index(np.frombuffer(blob, dtype=np.uint8))
        except RuntimeError as exc:
            raise VectorIndexError(
                f"{directory}/index.faiss: FAISS cannot read it ({exc}); rebuild"
            ) from exc
        labels = records["labels"]
        if restored.d != self.dim or restored.ntotal != len(labels):
            raise VectorIndexError(
                f"{directory}: index holds {restored.ntotal} vectors of dim {restored.d}, "
                f"records say {len(labels)} of dim {self.dim}; rebuild the index"
            )
        self._faiss, self.kind_, self._flat = restored, manifest["kind_"], None
        self._next_label = manifest["next_label"]
        for label, item_id, meta in zip(labels, records["ids"], records["metadata"], strict=True):
            self._labels[item_id] = label
            self._records[label] = (item_id, meta)


def _scores(queries: NDArray[np.float32], stored: NDArray[np.float32]) -> NDArray[np.float32]:
    """Inner products (m, n) of query rows (m, dim) with stored rows (n, dim), on one BLAS
    thread for a micro-batch. Up to `SMALL_BATCH` queries as `stored @ queries.T`, so OpenBLAS
    packs the small side (19.6k x 384, one thread: 2 queries 1.9 ms against 4.2 ms the other
    way round, 16 queries 3.2 against 4.8 ms, but 32 queries 8.2 against 6.3 ms)."""
    if len(queries) > ONE_THREAD_ROWS:
        return queries @ stored.T
    with _blas().limit(limits=1, user_api="blas"):
        if len(queries) <= SMALL_BATCH:
            return np.ascontiguousarray((stored @ queries.T).T)
        return queries @ stored.T


def _top_rows(scores: NDArray[np.float32], k: int) -> NDArray[np.intp]:
    """Per row of `scores` (m, n), the columns of its `k` highest scores, best first, ties by
    column (insertion order); only the top `k` are sorted."""
    if k < scores.shape[1]:
        cols = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        cols = np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
    values = np.take_along_axis(scores, cols, axis=1)
    order = np.lexsort((cols, -values), axis=1)
    return np.take_along_axis(cols, order, axis=1)


def _parse_json(directory: Path, files: dict[str, bytes], name: str) -> dict[str, Any]:
    try:
        value = json.loads(files[name])
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise VectorIndexError(
            f"{directory}/{name}: not valid JSON ({exc}); rebuild the index"
        ) from exc
    if not isinstance(value, dict):
        raise VectorIndexError(f"{directory}/{name}: expected a JSON object; rebuild the index")
    return value
