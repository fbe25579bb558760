"""One searchable collection (solved tickets or KB articles): dense index + BM25, fused."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.errors import ConfigError
from triage.retrieval.hybrid import FUSIONS, rank
from triage.retrieval.index import Filter, Hit, VectorIndex
from triage.retrieval.lexical import BM25Index
from triage.retrieval.relevance import ThresholdFit, calibrate_threshold

LEXICALS = ("tfidf", "bm25")


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    """How retrieval ranks and cuts results (stored with the index).

    `fusion`: "rrf" (reciprocal rank fusion of dense and lexical), "score" (rank by relevance),
    "dense" or "lexical". Relevance = (1 - alpha) * cosine + alpha * lexical similarity, where
    `lexical` picks the signal: "tfidf" (TF-IDF cosine over the BM25 tokens, 0 to 1) or "bm25"
    (BM25 over its upper bound for the query, 0 to 1).
    `min_relevance`: fixed threshold; None calibrates it at build time when the data allows and
    otherwise uses `default_min_relevance` (the value calibrated on hadoop_bugs with MiniLM).
    `lexical`, `fusion` and `alpha` are what 5-fold cross-validation picked on hadoop_bugs
    duplicates (TF-IDF cosine beat BM25, score fusion beat RRF); see BENCHMARKS.md, Retrieval.
    """

    fusion: str = "score"
    lexical: str = "tfidf"
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    alpha: float = 0.7
    candidates: int = 50
    min_relevance: float | None = None
    default_min_relevance: float = 0.43
    max_hit_rate: float = 0.1
    index_kind: str = "auto"
    approx_threshold: int = 50_000

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:
            raise ConfigError(f"fusion {self.fusion!r} is unknown; use one of {', '.join(FUSIONS)}")
        if self.lexical not in LEXICALS:
            raise ConfigError(
                f"lexical {self.lexical!r} is unknown; use one of {', '.join(LEXICALS)}"
            )
        if not 0.0 <= self.alpha <= 1.0:
            raise ConfigError(f"alpha {self.alpha} is outside [0, 1]")

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)


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


@dataclass(slots=True)
class Collection:
    """Dense `VectorIndex` and `BM25Index` over the same ids, searched together."""

    dense: VectorIndex
    lexical: BM25Index = field(default_factory=BM25Index)
    min_relevance: float = 0.0

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
    ) -> list[Hit]:
        """Top `k` hits for one query (vector of shape (dim,)), ranked by `config.fusion`.

        `Hit.score` is the bounded relevance; with `gate`, hits below `min_relevance` are dropped.
        """
        if k <= 0 or len(self) == 0:
            return []
        pool = max(config.candidates, k) + len(exclude)
        ranked = self.ranked(text, vector, pool, config, keep=keep, exclude=exclude)
        return self.top(ranked, k, gate=gate)

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
    ) -> list[tuple[str, float]]:
        """Every candidate (the `pool` best dense and lexical), best first, with its relevance.

        One call serves several cuts (`top`): `search(k)` is `top(ranked(pool), k)` for the same
        pool, so similar tickets and neighbour votes can share a single search. `dense_hits`:
        this query's `pool` nearest vectors when already searched (see `ranked_many`).
        """
        if pool <= 0 or len(self) == 0:
            return []
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
        return rank(
            candidates,
            dense,
            lexical_all,
            fusion=config.fusion,
            alpha=config.alpha,
            rrf_k=config.rrf_k,
            weights=(config.dense_weight, config.lexical_weight),
        )

    def ranked_many(
        self,
        texts: Sequence[str],
        vectors: NDArray[np.float32],
        pool: int,
        config: RetrievalConfig,
    ) -> list[list[tuple[str, float]]]:
        """`ranked(text, vector, pool, config)` for each query (vectors (m, dim)), with one dense
        search for all of them: exact search becomes one matrix product instead of m scans."""
        if pool <= 0 or len(self) == 0:
            return [[] for _ in texts]
        hits = self.dense.search(vectors, pool)
        return [
            self.ranked(text, vectors[i], pool, config, dense_hits=hits[i])
            for i, text in enumerate(texts)
        ]

    def top(self, ranked: list[tuple[str, float]], k: int, *, gate: bool = True) -> list[Hit]:
        """The first `k` of `ranked` as hits with metadata; with `gate`, only those at or above
        `min_relevance`."""
        if gate:
            ranked = [(c, r) for c, r in ranked if r >= self.min_relevance]
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
        state = {"lexical": self.lexical.to_json(), "min_relevance": self.min_relevance}
        return {f"{directory.name}.json": json.dumps(state).encode()}

    @classmethod
    def load(cls, directory: Path, state: bytes) -> Collection:
        """Inverse of `save` (the retriever folder around it has verified the files)."""
        values = json.loads(state)
        return cls(
            VectorIndex.load(directory / "dense", verified=True),
            BM25Index.from_json(values["lexical"]),
            float(values["min_relevance"]),
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


def fit_min_relevance(
    collection: Collection,
    config: RetrievalConfig,
    texts: Sequence[str],
    vectors: NDArray[np.float32],
    relevant: Sequence[set[str]],
    own: Sequence[str | None],
) -> ThresholdFit:
    """Calibrate `collection.min_relevance` on queries with known matches (and set it).

    Query i (text, vector row i, own id excluded) is run twice: once as is (is its top hit in
    `relevant[i]`?) and once with all of `relevant[i]` withheld (nothing relevant left, so its
    top score shows what an unrelated match scores). See `calibrate_threshold`.
    """
    scores: list[float] = []
    correct: list[bool] = []
    for text, vector, rel, me in zip(texts, vectors, relevant, own, strict=True):
        base = frozenset({me}) if me else frozenset()
        for exclude in (base, base | frozenset(rel)):
            hits = collection.search(text, vector, 1, config, exclude=exclude, gate=False)
            if hits:
                scores.append(hits[0].score)
                correct.append(hits[0].id in rel)
    fit = calibrate_threshold(scores, correct, config.max_hit_rate)
    collection.min_relevance = fit.threshold
    return fit
