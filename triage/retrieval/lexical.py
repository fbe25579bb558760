"""BM25 over tickets with a tokenizer that keeps error codes, host names and class names whole."""

from __future__ import annotations

import functools
import logging
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.retrieval.tfidf import TfidfCosine

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"\w[\w.\-:/\\]*\w|\w")
_PARTS = re.compile(r"[._\-:/\\]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = (
    _words(
        "a an and are as at be but by for from has have i if in into is it its my no not of on or"
        " our so that the their then there these they this to was we were when which will with"
        " you your can could should would been do does did all any also please hi hello thanks"
        " regards"
    )
    # Dutch (not "door", an English word too): without them unrelated Dutch texts share "de",
    # "het", "een", ... with every Dutch article and look related (BENCHMARKS.md, Retrieval).
    | _words(
        "de het een en ik je jij u mijn van op te dat die dit met voor naar bij uit aan om als"
        " maar dan ook nog wel er hij ze zij we wij ons onze zijn heeft hebben kan moet wordt"
        " worden geen meer al tot hoe wat waar graag groet groeten bedankt alvast"
    )
    | _words(
        "der die das und ist nicht ein eine einen einem einer ich mit von zu den dem des im auf"
        " für es sich bitte wir sie er auch noch wie bei nach aus kann wird werden hat haben sind"
        " war oder aber wenn dass mein meine unser unsere ihr am um an als nur schon mir mich uns"
        " kein keine danke grüße"
    )
)


def tokenize(text: str) -> list[str]:
    """Lower-case tokens: each whole token ("srv-fin-07", "0x80070005", "fsdownload.java") plus its
    parts split on punctuation and camelCase ("srv", "fin", "07"; "fs", "download"); stop words and
    one-letter tokens dropped."""
    return list(_query_tokens(text))


@functools.lru_cache(maxsize=256)
def _query_tokens(text: str) -> tuple[str, ...]:
    """`tokenize`, remembered for the last texts: a query is scored against the solved tickets
    and the KB articles, and the regular expressions cost more than either scoring."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        parts = [p for p in _PARTS.split(raw) if p]
        pieces = {raw.lower()}
        for part in parts:
            pieces.add(part.lower())
            pieces.update(c.lower() for c in _CAMEL.findall(part))
        tokens.extend(t for t in sorted(pieces) if len(t) > 1 and t not in STOPWORDS)
    return tuple(tokens)


class BM25Index:
    """BM25 (`bm25s`, Lucene variant) over string ids that can grow and shrink.

    `bm25s` indexes are static, so a change marks the index stale and the next query rebuilds it
    (cheap next to embedding: about a second for 100k short tickets). The TF-IDF cosine signal
    (`cosine_scores`, `TfidfCosine`) never builds the bm25s index and follows online changes
    row by row. Tokens are interned: a collection holds each distinct token string once,
    however many documents use it.
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._docs: dict[str, list[str]] = {}
        self._order: list[str] = []
        self._rows: dict[str, int] = {}
        self._model: Any = None
        self._idf: dict[str, float] = {}
        self._cosine: TfidfCosine | None = None
        self._ordered = False

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Add or replace documents."""
        for item_id, text in zip(ids, texts, strict=True):
            tokens = [sys.intern(t) for t in tokenize(text)]
            self._docs[str(item_id)] = tokens
            if self._cosine is not None:
                self._cosine.add(str(item_id), tokens)
        self._stale()

    def remove(self, ids: Sequence[str]) -> int:
        """Delete documents; returns how many were present."""
        removed = 0
        for item_id in ids:
            if self._docs.pop(item_id, None) is not None:
                removed += 1
                if self._cosine is not None:
                    self._cosine.remove(item_id)
        if removed:
            self._stale()
        return removed

    def _stale(self) -> None:
        """The bm25s index and its row order are rebuilt on next use; the TF-IDF signal follows
        changes row by row (`TfidfCosine`)."""
        self._model, self._ordered = None, False

    def _order_rows(self) -> None:
        """Row order of the BM25 score arrays, fixed until the next change."""
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

    def row_of(self, item_id: str, kind: str = "bm25") -> int | None:
        """Position of `item_id` in the arrays the `kind` ("bm25" or "tfidf") score methods
        return (None if absent)."""
        if kind == "tfidf":
            return self._cosine.rows.get(item_id) if self._cosine is not None else None
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
        if self._cosine is None or self._cosine.stale():
            self._cosine = TfidfCosine(self._docs)
        return self._cosine.scores(tokenize(text))

    def cosine_pair(self, query: str, document: str) -> float:
        """TF-IDF cosine of `query` to a text outside the index, weighted with the index's idf
        (the same weights `cosine_scores` uses), in [0, 1]."""
        if not self._docs:
            return 0.0
        if self._cosine is None or self._cosine.stale():
            self._cosine = TfidfCosine(self._docs)
        return self._cosine.pair(tokenize(query), tokenize(document))

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
