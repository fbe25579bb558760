"""BM25 over tickets with a tokenizer that keeps error codes, host names and class names whole."""

from __future__ import annotations

import logging
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"\w[\w.\-:/\\]*\w|\w")
_PARTS = re.compile(r"[._\-:/\\]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "when",
        "which",
        "will",
        "with",
        "you",
        "your",
        "can",
        "could",
        "should",
        "would",
        "been",
        "do",
        "does",
        "did",
        "all",
        "any",
        "also",
        "please",
        "hi",
        "hello",
        "thanks",
        "regards",
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "ein",
        "eine",
        "ich",
        "mit",
        "von",
        "zu",
        "den",
        "im",
        "auf",
        "für",
        "es",
        "sich",
        "bitte",
    ]
)


def tokenize(text: str) -> list[str]:
    """Lower-case tokens: each whole token ("srv-fin-07", "0x80070005", "fsdownload.java") plus its
    parts split on punctuation and camelCase ("srv", "fin", "07"; "fs", "download"); stop words and
    one-letter tokens dropped."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        parts = [p for p in _PARTS.split(raw) if p]
        pieces = {raw.lower()}
        for part in parts:
            pieces.add(part.lower())
            pieces.update(c.lower() for c in _CAMEL.findall(part))
        tokens.extend(t for t in sorted(pieces) if len(t) > 1 and t not in STOPWORDS)
    return tokens


class BM25Index:
    """BM25 (`bm25s`, Lucene variant) over string ids that can grow and shrink.

    `bm25s` indexes are static, so a change marks the index stale and the next query rebuilds it
    (cheap next to embedding: about a second for 100k short tickets). The TF-IDF cosine signal
    (`cosine_scores`) never builds the bm25s index. Tokens are interned: a collection holds each
    distinct token string once, however many documents use it.
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._docs: dict[str, list[str]] = {}
        self._order: list[str] = []
        self._rows: dict[str, int] = {}
        self._model: Any = None
        self._idf: dict[str, float] = {}
        self._tfidf: Any = None
        self._vocab: dict[str, int] = {}
        self._tfidf_idf: NDArray[np.float64] = np.zeros(0)
        self._ordered = False

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Add or replace documents."""
        for item_id, text in zip(ids, texts, strict=True):
            self._docs[str(item_id)] = [sys.intern(t) for t in tokenize(text)]
        self._stale()

    def remove(self, ids: Sequence[str]) -> int:
        """Delete documents; returns how many were present."""
        removed = sum(self._docs.pop(i, None) is not None for i in ids)
        if removed:
            self._stale()
        return removed

    def _stale(self) -> None:
        self._model, self._tfidf, self._ordered = None, None, False

    def _order_rows(self) -> None:
        """Row order of the score arrays (shared by both signals), fixed until the next change."""
        if not self._ordered:
            self._order = list(self._docs)
            self._rows = {item: row for row, item in enumerate(self._order)}
            self._ordered = True

    def _fitted(self) -> Any:
        if self._model is None:
            import bm25s

            # bm25s sets its logger to DEBUG on import, which floods any handler on the root logger.
            logging.getLogger("bm25s").setLevel(logging.WARNING)
            self._order_rows()
            model = bm25s.BM25(k1=self.k1, b=self.b)
            model.index([self._docs[i] or [""] for i in self._order], show_progress=False)
            self._model, self._idf = model, self._lucene_idf()
        return self._model

    def _lucene_idf(self) -> dict[str, float]:
        df: Counter[str] = Counter()
        for tokens in self._docs.values():
            df.update(set(tokens))
        n = len(self._docs)
        return {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def _query(self, text: str) -> list[str]:
        # Repeated query terms count again (query term frequency): it helps long queries.
        return [t for t in tokenize(text) if t in self._idf]

    def scores(self, text: str) -> tuple[list[str], NDArray[np.float32]]:
        """BM25 score of `text` against every document: (ids, scores of shape (n,))."""
        if not self._docs:
            return [], np.zeros(0, dtype=np.float32)
        self._fitted()  # the query keeps only indexed terms: fit first
        return self._scores_of(self._query(text))

    def _scores_of(self, query: list[str]) -> tuple[list[str], NDArray[np.float32]]:
        model = self._fitted()
        if not query:
            return self._order, np.zeros(len(self._order), dtype=np.float32)
        return self._order, np.asarray(model.get_scores(query), dtype=np.float32)

    def relative_scores(self, text: str) -> tuple[list[str], NDArray[np.float32]]:
        """BM25 as a fraction of its upper bound for this query, in [0, 1): (ids, shape (n,)).

        Lucene BM25 term scores are idf x a term-frequency part below 1, so the sum of the query
        terms' idf bounds the score. The fraction does not depend on document lengths or corpus
        size the way raw BM25 does, so one fusion weight fits short tickets and long bug reports.
        The query is tokenised once for both the scores and the bound.
        """
        if not self._docs:
            return [], np.zeros(0, dtype=np.float32)
        self._fitted()
        query = self._query(text)
        ids, raw = self._scores_of(query)
        bound = sum(self._idf[t] for t in query)
        return ids, (raw / bound if bound > 0 else raw)

    def row_of(self, item_id: str) -> int | None:
        """Position of `item_id` in the arrays the score methods return (None if absent)."""
        self._order_rows()
        return self._rows.get(item_id)

    def cosine_scores(self, text: str) -> tuple[list[str], NDArray[np.float32]]:
        """TF-IDF cosine of `text` to every document, in [0, 1]: (ids, shape (n,)).

        Same tokens as BM25; sublinear tf (1 + log tf) times smooth idf (log((1 + n) / (1 + df))
        + 1), rows L2-normalised, as scikit-learn's `TfidfVectorizer(sublinear_tf=True)`. Both
        sides are length-normalised, which suits long queries such as whole bug reports (on
        hadoop_bugs it beat BM25 alone and in the hybrid; BENCHMARKS.md, Retrieval).
        """
        if not self._docs:
            return [], np.zeros(0, dtype=np.float32)
        self._order_rows()
        if self._tfidf is None:
            # Column-major: a query reads only the columns of its own terms.
            self._tfidf = self._tfidf_matrix().tocsc()
        terms, weights = self._query_weights(tokenize(text))
        return self._order, _dot_columns(self._tfidf, terms, weights).astype(np.float32)

    def _query_weights(self, tokens: list[str]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """One query's `_tfidf_rows` row without building a sparse matrix: (terms, weights),
        terms ascending; the same arithmetic in the same order, so the same bits."""
        counts = Counter(t for t in tokens if t in self._vocab)
        terms = np.array([self._vocab[t] for t in counts], dtype=np.intp)
        weights = np.array(
            [(1 + math.log(c)) * self._tfidf_idf[self._vocab[t]] for t, c in counts.items()],
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

    def _tfidf_matrix(self) -> Any:
        df: Counter[str] = Counter()
        for tokens in self._docs.values():
            df.update(set(tokens))
        self._vocab = {t: n for n, t in enumerate(df)}
        n = len(self._docs)
        self._tfidf_idf = np.array(
            [math.log((1 + n) / (1 + df[t])) + 1 for t in self._vocab], dtype=np.float64
        )
        return self._tfidf_rows([self._docs[i] for i in self._order])

    def _tfidf_rows(self, docs: Sequence[list[str]]) -> Any:
        """Sparse (len(docs), vocabulary) matrix of L2-normalised sublinear tf-idf rows."""
        from scipy.sparse import csr_matrix

        # Typed arrays, not lists of Python numbers: 12 bytes per entry instead of about 90.
        rows, cols, vals = array("q"), array("q"), array("d")
        for row, tokens in enumerate(docs):
            counts = Counter(t for t in tokens if t in self._vocab)
            for token, count in counts.items():
                rows.append(row)
                cols.append(self._vocab[token])
                vals.append((1 + math.log(count)) * self._tfidf_idf[self._vocab[token]])
        shape = (len(docs), len(self._vocab))
        coords = (np.frombuffer(rows, dtype=np.int64), np.frombuffer(cols, dtype=np.int64))
        matrix = csr_matrix(
            (np.frombuffer(vals, dtype=np.float64), coords), shape=shape, dtype=np.float64
        )
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).reshape(-1))
        norms[norms == 0] = 1.0
        return csr_matrix(matrix.multiply(1 / norms[:, None]))

    def search(
        self, text: str, k: int, keep: Callable[[str], bool] | None = None
    ) -> list[tuple[str, float]]:
        """The `k` best (id, score) pairs with a positive score, best first."""
        ids, scores = self.scores(text)
        order = np.argsort(-scores, kind="stable")
        hits: list[tuple[str, float]] = []
        for row in order.tolist():
            if scores[row] <= 0 or len(hits) >= k:
                break
            if keep is None or keep(ids[row]):
                hits.append((ids[row], float(scores[row])))
        return hits

    def to_json(self) -> dict[str, Any]:
        """Plain state for saving (tokens, not raw text)."""
        return {"k1": self.k1, "b": self.b, "docs": self._docs}

    @classmethod
    def from_json(cls, state: dict[str, Any]) -> BM25Index:
        """Inverse of `to_json`."""
        index = cls(k1=state["k1"], b=state["b"])
        index._docs = {str(k): [sys.intern(t) for t in v] for k, v in state["docs"].items()}
        return index


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
