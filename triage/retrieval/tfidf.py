"""TF-IDF cosine over a collection that changes online, without a full rebuild per change."""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Online changes (adds, replacements, removals) tolerated before the next query rebuilds from
# scratch: at least this many, or this share of the documents of the last full build.
REBUILD_MIN_CHANGES = 500
REBUILD_SHARE = 0.1


class TfidfCosine:
    """Sublinear tf x smooth idf, rows L2-normalised (scikit-learn's `TfidfVectorizer(
    sublinear_tf=True)`), scored as the cosine of a query against every document.

    A full build keeps a column-major matrix, so a query reads only its own terms' columns.
    After it, `add` appends rows to a small delta matrix and `remove` zeroes a row, so a ticket
    resolved in production costs one row, not a rebuild of the whole matrix on the inference
    thread (0.5 s at 20k tickets, measured). Between full builds the idf of known terms stays
    as built and a new term gets the idf of a term seen once, so scores drift slightly from a
    fresh build until `stale()` asks for one (`REBUILD_MIN_CHANGES` / `REBUILD_SHARE`); without
    online changes the scores are exactly those of a fresh build.
    """

    def __init__(self, docs: Mapping[str, list[str]]) -> None:
        self.ids: list[str] = list(docs)
        self.rows: dict[str, int] = {item: row for row, item in enumerate(self.ids)}
        df: Counter[str] = Counter()
        for tokens in docs.values():
            df.update(set(tokens))
        self.vocab: dict[str, int] = {t: n for n, t in enumerate(df)}
        self.live = len(self.ids)
        self.idf = np.array(
            [math.log((1 + self.live) / (1 + df[t])) + 1 for t in self.vocab], dtype=np.float64
        )
        self.base = self._matrix([docs[i] for i in self.ids]).tocsc()
        self.n_base = len(self.ids)
        self._dead: list[int] = []
        self._delta: list[tuple[NDArray[np.int64], NDArray[np.float64]]] = []
        self._delta_matrix: Any = None
        self.changes = 0

    def stale(self) -> bool:
        """True once online changes passed the threshold for a full rebuild."""
        return self.changes > max(REBUILD_MIN_CHANGES, REBUILD_SHARE * self.n_base)

    def add(self, item_id: str, tokens: list[str]) -> None:
        """Add or replace a document (one new delta row)."""
        old = self.rows.get(item_id)
        if old is not None:
            self._dead.append(old)
        else:
            self.live += 1
        counts = Counter(tokens)
        for token in counts:
            if token not in self.vocab:  # a new term: the idf of a term seen once
                self.vocab[token] = len(self.vocab)
                self.idf = np.append(self.idf, math.log((1 + self.live) / 2) + 1)
        cols = np.fromiter((self.vocab[t] for t in counts), dtype=np.int64, count=len(counts))
        vals = np.array(
            [(1 + math.log(c)) * self.idf[self.vocab[t]] for t, c in counts.items()],
            dtype=np.float64,
        )
        norm = math.sqrt(float(vals @ vals)) or 1.0
        self._delta.append((cols, vals / norm))
        self.rows[item_id] = len(self.ids)
        self.ids.append(item_id)
        self._delta_matrix = None
        self.changes += 1

    def remove(self, item_id: str) -> None:
        """Forget a document (its row scores 0 from now on)."""
        row = self.rows.pop(item_id, None)
        if row is not None:
            self._dead.append(row)
            self.live -= 1
            self.changes += 1

    def scores(self, tokens: Sequence[str]) -> tuple[list[str], NDArray[np.float32]]:
        """Cosine of the query tokens to every row: (ids, shape (len(ids),)); rows of removed
        or replaced documents score 0 (an id can appear twice: only its live row scores)."""
        terms, weights = self._query_weights(tokens)
        out = np.zeros(len(self.ids), dtype=np.float64)
        in_base = terms < self.base.shape[1]
        out[: self.n_base] = _dot_columns(self.base, terms[in_base], weights[in_base])
        if self._delta:
            out[self.n_base :] = _dot_columns(self._delta_csc(), terms, weights)
        if self._dead:
            out[self._dead] = 0.0
        return self.ids, out.astype(np.float32)

    def pair(self, query: Sequence[str], document: Sequence[str]) -> float:
        """Cosine of two token lists weighted with this collection's idf, for a document that is
        not (or not in this form) in the collection: e.g. a ticket's body alone, when its subject
        is the query (`triage.retrieval.pairs`)."""
        q_terms, q_weights = self._query_weights(query)
        d_terms, d_weights = self._query_weights(document)
        common, q_at, d_at = np.intersect1d(
            q_terms, d_terms, assume_unique=True, return_indices=True
        )
        return float(q_weights[q_at] @ d_weights[d_at]) if common.size else 0.0

    def _query_weights(self, tokens: Sequence[str]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """One query's row without building a sparse matrix: (terms ascending, weights); the
        same arithmetic in the same order as `_matrix`, so the same bits."""
        counts = Counter(t for t in tokens if t in self.vocab)
        terms = np.array([self.vocab[t] for t in counts], dtype=np.intp)
        weights = np.array(
            [(1 + math.log(c)) * self.idf[self.vocab[t]] for t, c in counts.items()],
            dtype=np.float64,
        )
        order = np.argsort(terms, kind="stable")
        terms, weights = terms[order], weights[order]
        if not terms.size:
            return terms, weights
        # scipy's CSR row sum is `np.add.reduceat` over the row's data: same order, same rounding.
        norm = np.sqrt(np.add.reduceat(weights * weights, np.zeros(1, dtype=np.intp)))
        norm[norm == 0] = 1.0
        return terms, weights * (1 / norm)

    def _matrix(self, docs: Sequence[list[str]]) -> Any:
        """Sparse (len(docs), vocabulary) matrix of L2-normalised sublinear tf-idf rows."""
        from scipy.sparse import csr_matrix

        # Typed arrays, not lists of Python numbers: 12 bytes per entry instead of about 90.
        rows, cols, vals = array("q"), array("q"), array("d")
        for row, tokens in enumerate(docs):
            counts = Counter(t for t in tokens if t in self.vocab)
            for token, count in counts.items():
                rows.append(row)
                cols.append(self.vocab[token])
                vals.append((1 + math.log(count)) * self.idf[self.vocab[token]])
        shape = (len(docs), len(self.vocab))
        coords = (np.frombuffer(rows, dtype=np.int64), np.frombuffer(cols, dtype=np.int64))
        matrix = csr_matrix(
            (np.frombuffer(vals, dtype=np.float64), coords), shape=shape, dtype=np.float64
        )
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).reshape(-1))
        norms[norms == 0] = 1.0
        return csr_matrix(matrix.multiply(1 / norms[:, None]))

    def _delta_csc(self) -> Any:
        if self._delta_matrix is None:
            from scipy.sparse import csr_matrix

            sizes = [cols.size for cols, _ in self._delta]
            rows = np.repeat(np.arange(len(self._delta)), sizes)
            cols = np.concatenate([c for c, _ in self._delta])
            vals = np.concatenate([v for _, v in self._delta])
            shape = (len(self._delta), len(self.vocab))
            self._delta_matrix = csr_matrix((vals, (rows, cols)), shape=shape).tocsc()
        return self._delta_matrix


def _dot_columns(
    matrix: Any, terms: NDArray[np.intp], weights: NDArray[np.float64]
) -> NDArray[np.float64]:
    """`matrix @ q` as a dense (n,) vector: matrix (n, vocab) CSC, q sparse (terms ascending).

    Adds term by term in vocabulary order, as scipy's CSR product does per row, so the result is
    the same to the last bit; it touches only the query terms' columns instead of every row.
    """
    scores = np.zeros(matrix.shape[0], dtype=np.float64)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for col, weight in zip(terms.tolist(), weights.tolist(), strict=True):
        start, end = indptr[col], indptr[col + 1]
        scores[indices[start:end]] += data[start:end] * weight
    return scores
