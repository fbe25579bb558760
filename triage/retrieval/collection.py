"""One searchable collection (solved tickets or KB articles): dense index + BM25, fused."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.errors import ConfigError
from triage.retrieval.config import RetrievalConfig
from triage.retrieval.hybrid import rank
from triage.retrieval.index import Filter, Hit, VectorIndex
from triage.retrieval.lexical import BM25Index


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """Metadata filter: language, category, solved status and a date range on `date_field`."""

    language: str | None = None
    category: str | None = None
    solved: bool | None = None
    since: datetime | None = None
    until: datetime | None = None
    date_field: str = "created_at"

    @classmethod
    def of(cls, value: SearchFilter | Mapping[str, Any] | None) -> SearchFilter | None:
        """A filter from itself, a mapping of its fields, or None."""
        if value is None or isinstance(value, SearchFilter):
            return value
        unknown = set(value) - set(cls.__dataclass_fields__)
        if unknown:
            raise ConfigError(
                f"unknown filter fields {sorted(unknown)}; use {sorted(cls.__dataclass_fields__)}"
            )
        return cls(**value)

    def __call__(self, meta: dict[str, Any]) -> bool:
        if self.language is not None and meta.get("language") != self.language:
            return False
        if self.category is not None and meta.get("category") != self.category:
            return False
        if self.solved is not None and bool(meta.get("solved")) != self.solved:
            return False
        return self._in_range(meta.get(self.date_field))

    def _in_range(self, value: str | None) -> bool:
        if self.since is None and self.until is None:
            return True
        if value is None:
            return False
        when = datetime.fromisoformat(value)
        return (self.since is None or when >= self.since) and (
            self.until is None or when <= self.until
        )


@dataclass(frozen=True, slots=True)
class Signals:
    """One query's candidates with their cosine (`dense`) and lexical similarity (0 to 1)."""

    candidates: list[str]
    dense: dict[str, float]
    lexical: dict[str, float]

    def ranked(self, config: RetrievalConfig) -> list[tuple[str, float]]:
        """The candidates ordered by `config.fusion`, with their relevance."""
        return rank(
            self.candidates,
            self.dense,
            self.lexical,
            fusion=config.fusion,
            alpha=config.alpha,
            rrf_k=config.rrf_k,
            weights=(config.dense_weight, config.lexical_weight),
        )

    def with_scores(self, item_id: str, cosine: float, lexical: float) -> Signals:
        """These signals plus (or with new scores for) one candidate."""
        candidates = self.candidates if item_id in self.dense else [*self.candidates, item_id]
        return Signals(
            candidates, {**self.dense, item_id: cosine}, {**self.lexical, item_id: lexical}
        )

    def with_ids(
        self,
        coll: Collection,
        ids: Sequence[str],
        text: str,
        vector: NDArray[np.float32],
        config: RetrievalConfig,
    ) -> Signals:
        """These signals plus the indexed `ids` that are not candidates yet, scored for real."""
        extra = [i for i in dict.fromkeys(ids) if i not in self.dense and i in coll]
        if not extra:
            return self
        cosines = coll._cosines(extra, vector)
        _, scores = coll._lexical_scores(text, config.lexical)
        lexical = {i: coll._lexical_of(i, scores, config.lexical) for i in extra}
        return Signals(
            [*self.candidates, *extra], {**self.dense, **cosines}, {**self.lexical, **lexical}
        )


@dataclass(slots=True)
class Collection:
    """Dense `VectorIndex` and `BM25Index` over the same ids, searched together."""

    dense: VectorIndex
    lexical: BM25Index = field(default_factory=BM25Index)
    min_relevance: float = 0.0
    """The floor: hits below it are dropped (`top`)."""
    strong_relevance: float = 0.0
    """Hits at or above it are "strong" matches, the others "weak"."""

    @classmethod
    def empty(cls, dim: int, config: RetrievalConfig) -> Collection:
        """A collection with no documents."""
        index = VectorIndex(dim, kind=config.index_kind, approx_threshold=config.approx_threshold)
        return cls(dense=index)

    def __len__(self) -> int:
        return len(self.dense)

    def __contains__(self, item: object) -> bool:
        return item in self.dense

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: NDArray[np.float32],
        metadata: Sequence[dict[str, Any]],
    ) -> None:
        """Add or replace documents: vectors of shape (n, dim)."""
        self.dense.add(ids, vectors, metadata)
        self.lexical.add(ids, texts)

    def remove(self, ids: Sequence[str]) -> int:
        """Delete documents everywhere; returns how many were in the dense index."""
        self.lexical.remove(ids)
        return self.dense.remove(ids)

    def search(
        self,
        text: str,
        vector: NDArray[np.float32],
        k: int,
        config: RetrievalConfig,
        *,
        keep: Filter | None = None,
        exclude: frozenset[str] = frozenset(),
        gate: bool = True,
        floor: float | None = None,
    ) -> list[Hit]:
        """Top `k` hits for one query (vector of shape (dim,)), ranked by `config.fusion`.

        `Hit.score` is the bounded relevance; with `gate`, hits below `floor` (default
        `min_relevance`) are dropped.
        """
        if k <= 0 or len(self) == 0:
            return []
        pool = max(config.candidates, k) + len(exclude)
        ranked = self.ranked(text, vector, pool, config, keep=keep, exclude=exclude)
        return self.top(ranked, k, gate=gate, floor=floor)

    def ranked(
        self,
        text: str,
        vector: NDArray[np.float32],
        pool: int,
        config: RetrievalConfig,
        *,
        keep: Filter | None = None,
        exclude: frozenset[str] = frozenset(),
        dense_hits: list[Hit] | None = None,
        include: Sequence[str] = (),
    ) -> list[tuple[str, float]]:
        """Every candidate (the `pool` best dense and lexical), best first, with its relevance.

        One call serves several cuts (`top`): `search(k)` is `top(ranked(pool), k)` for the same
        pool, so similar tickets and neighbour votes can share a single search. `dense_hits`:
        this query's `pool` nearest vectors when already searched (see `ranked_many`).
        `include`: ids to rank as well, whether or not they made the pool.
        """
        found = self.signals(
            text, vector, pool, config, keep=keep, exclude=exclude, dense_hits=dense_hits
        )
        return found.with_ids(self, include, text, vector, config).ranked(config)

    def signals(
        self,
        text: str,
        vector: NDArray[np.float32],
        pool: int,
        config: RetrievalConfig,
        *,
        keep: Filter | None = None,
        exclude: frozenset[str] = frozenset(),
        dense_hits: list[Hit] | None = None,
    ) -> Signals:
        """The candidates of one query with their cosine and lexical similarity (unranked)."""
        if pool <= 0 or len(self) == 0:
            return Signals([], {}, {})
        if dense_hits is None:
            dense_hits = self.dense.search(vector, pool, filter=keep)[0]
        dense = {h.id: h.score for h in dense_hits if h.id not in exclude}
        allowed = _allowed(self.dense, keep, exclude)
        ids, scores = self._lexical_scores(text, config.lexical)
        lexical = _best(ids, scores, pool, allowed)
        candidates = list(dict.fromkeys([*dense, *lexical]))
        dense.update(self._cosines([c for c in candidates if c not in dense], vector))
        lexical_all = {
            c: lexical.get(c) or self._lexical_of(c, scores, config.lexical) for c in candidates
        }
        return Signals(candidates, dense, lexical_all)

    def ranked_many(
        self,
        texts: Sequence[str],
        vectors: NDArray[np.float32],
        pool: int,
        config: RetrievalConfig,
        *,
        keep: Filter | None = None,
    ) -> list[list[tuple[str, float]]]:
        """`ranked(text, vector, pool, config, keep=keep)` for each query (vectors (m, dim)),
        with one dense search for all of them: exact search becomes one matrix product instead
        of m scans (a filtered search scans per query)."""
        found = self.signals_many(texts, vectors, pool, config, keep=keep)
        return [s.ranked(config) for s in found]

    def signals_many(
        self,
        texts: Sequence[str],
        vectors: NDArray[np.float32],
        pool: int,
        config: RetrievalConfig,
        *,
        keep: Filter | None = None,
    ) -> list[Signals]:
        """`signals` for each query (vectors (m, dim)), with one dense search for all."""
        if pool <= 0 or len(self) == 0:
            return [Signals([], {}, {}) for _ in texts]
        hits = self.dense.search(vectors, pool, filter=keep)
        return [
            self.signals(text, vectors[i], pool, config, keep=keep, dense_hits=hits[i])
            for i, text in enumerate(texts)
        ]

    def top(
        self,
        ranked: list[tuple[str, float]],
        k: int,
        *,
        gate: bool = True,
        floor: float | None = None,
    ) -> list[Hit]:
        """The first `k` of `ranked` as hits with metadata; with `gate`, only those at or above
        `floor` (default: the calibrated `min_relevance`)."""
        if gate:
            cut = self.min_relevance if floor is None else floor
            ranked = [(c, r) for c, r in ranked if r >= cut]
        return [Hit(c, r, self.dense.metadata(c)) for c, r in ranked[: max(k, 0)]]

    def _lexical_scores(self, text: str, kind: str) -> tuple[list[str], NDArray[np.float32]]:
        """Lexical similarity ("tfidf" or "bm25", 0 to 1) of `text` to every document."""
        if kind == "tfidf":
            return self.lexical.cosine_scores(text)
        return self.lexical.relative_scores(text)

    def _lexical_of(self, item_id: str, scores: NDArray[np.float32], kind: str) -> float:
        # Dense-only candidates get their real lexical score, not 0: ranks them fairly.
        row = self.lexical.row_of(item_id, kind)
        return float(scores[row]) if row is not None and row < scores.size else 0.0

    def _cosines(self, ids: list[str], vector: NDArray[np.float32]) -> dict[str, float]:
        if not ids:
            return {}
        scores = self.dense.vectors(ids) @ np.asarray(vector, dtype=np.float32).reshape(-1)
        return dict(zip(ids, scores.tolist(), strict=True))

    def save(self, directory: Path) -> dict[str, bytes]:
        """Save the dense index under `directory/dense`; returns the lexical state to write.

        The retriever folder around it checksums both (or its bundle does)."""
        self.dense.save(directory / "dense", checksums=False)
        state = {
            "lexical": self.lexical.to_json(),
            "min_relevance": self.min_relevance,
            "strong_relevance": self.strong_relevance,
        }
        return {f"{directory.name}.json": json.dumps(state).encode()}

    @classmethod
    def load(cls, directory: Path, state: bytes) -> Collection:
        """Inverse of `save` (the retriever folder around it has verified the files)."""
        values = json.loads(state)
        floor = float(values["min_relevance"])
        return cls(
            VectorIndex.load(directory / "dense", verified=True),
            BM25Index.from_json(values["lexical"]),
            floor,
            # Saved before strong/weak: every result it showed was a match, so all are strong.
            float(values.get("strong_relevance", floor)),
        )


def _best(
    ids: list[str], scores: NDArray[np.float32], pool: int, allowed: Callable[[str], bool] | None
) -> dict[str, float]:
    """The `pool` best allowed documents with a positive score: id -> score.

    Same order as a stable descending sort of all scores (ties by row), but only the top rows
    are sorted (`argpartition`-style), widening while the filter rejects too many.
    """
    positive = np.flatnonzero(scores > 0)
    fetch = pool
    while True:
        out: dict[str, float] = {}
        top = _top_rows(scores, positive, fetch)
        for row in top.tolist():
            if len(out) >= pool:
                break
            if allowed is None or allowed(ids[row]):
                out[ids[row]] = float(scores[row])
        if len(out) >= pool or top.size >= positive.size:
            return out
        fetch *= 4


def _top_rows(scores: NDArray[np.float32], rows: NDArray[np.intp], m: int) -> NDArray[np.intp]:
    """The `m` best of `rows` (ascending row numbers) plus any ties, by score then row."""
    if m <= 0:
        return rows[:0]
    if m < rows.size:
        values = scores[rows]
        kth = np.partition(values, values.size - m)[values.size - m]
        rows = rows[values >= kth]
    return rows[np.argsort(-scores[rows], kind="stable")]


def _allowed(
    index: VectorIndex, keep: Filter | None, exclude: frozenset[str]
) -> Callable[[str], bool] | None:
    if keep is None and not exclude:
        return None
    return lambda i: i not in exclude and (keep is None or keep(index.metadata(i)))
