"""Ticket features: TF-IDF word and char n-grams, sentence embeddings, channel/language one-hot."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from triage.cues import cue_matrix, cue_names
from triage.errors import ConfigError
from triage.schema import Ticket
from triage.text import detect_language

logger = logging.getLogger(__name__)

FAST_ROWS = 64

UNKNOWN = "unknown"
"""A ticket's channel or language when it has none."""


@dataclass(frozen=True)
class FeatureInput:
    """What the featuriser reads for n tickets; `embeddings` is (n, dim) float32 or None."""

    texts: list[str]
    channels: list[str]
    languages: list[str]
    embeddings: NDArray[np.float32] | None = None

    def __len__(self) -> int:
        return len(self.texts)


def feature_input(
    tickets: Sequence[Ticket], embeddings: NDArray[np.float32] | None = None
) -> FeatureInput:
    """`FeatureInput` from tickets (missing channel/language become "unknown"; the featuriser
    detects a missing language where its model learned from languages, `TicketFeaturizer`)."""
    return FeatureInput(
        texts=[t.text for t in tickets],
        channels=[str(t.channel.value) if t.channel else UNKNOWN for t in tickets],
        languages=[t.language or UNKNOWN for t in tickets],
        embeddings=embeddings,
    )


class TicketFeaturizer:
    """Sparse feature matrix from text and fields; scikit-learn style (`fit` returns self).

    Blocks (each switchable): word TF-IDF (1-2 grams), char_wb TF-IDF (3-5 grams), the sentence
    embedding scaled by `embedding_weight`, one-hot channel and language, and the impact and
    urgency cues of `triage.cues` (0/1 each). Output: (n, f) CSR.
    `sublinear_tf` weighs a term by log(1 + count) instead of its count.
    """

    def __init__(
        self,
        *,
        word: bool = True,
        char: bool = True,
        embeddings: bool = True,
        meta: bool = True,
        embedding_weight: float = 1.0,
        max_word_features: int = 200_000,
        max_char_features: int = 300_000,
        min_df: int = 2,
        sublinear_tf: bool = True,
        cues: bool = False,
    ) -> None:
        self.word = word
        self.char = char
        self.embeddings = embeddings
        self.meta = meta
        self.embedding_weight = embedding_weight
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.cues = cues

    def _check(self) -> None:
        if not (self.word or self.char or self.embeddings or self.meta or self.uses_cues):
            raise ConfigError(
                "features: every block is switched off; enable word, char or embeddings"
            )

    def _tfidf(
        self, analyzer: str, ngrams: tuple[int, int], max_features: int, n_docs: int
    ) -> object:
        from triage.compact_tfidf import CompactTfidfVectorizer

        return CompactTfidfVectorizer(
            analyzer=analyzer,
            ngram_range=ngrams,
            min_df=self.min_df if n_docs >= 50 else 1,
            max_features=max_features,
            sublinear_tf=self.sublinear_tf,
            lowercase=True,
            dtype=np.float32,
        )

    def fit(self, data: FeatureInput) -> TicketFeaturizer:
        self._fit(data, keep=False)
        return self

    def fit_transform(self, data: FeatureInput) -> sp.csr_matrix:
        """`fit(data).transform(data)`, the same matrix, with each text tokenised once per
        vectoriser instead of twice (on the 48k training part 17 s -> 9 s for the two)."""
        return self._transform_blocks(data, self._fit(data, keep=True))

    def _fit(self, data: FeatureInput, keep: bool) -> list[sp.csr_matrix]:
        """Fit every block; with `keep`, the TF-IDF blocks of `data` that fitting made."""
        self._check()
        self.word_ = (
            self._tfidf("word", (1, 2), self.max_word_features, len(data)) if self.word else None
        )
        self.char_ = (
            self._tfidf("char_wb", (3, 5), self.max_char_features, len(data)) if self.char else None
        )
        made = []
        for vectorizer in (self.word_, self.char_):
            if vectorizer is None:
                continue
            if keep:
                block = vectorizer.fit_transform(data.texts)  # type: ignore[attr-defined]
                block.sort_indices()  # as `transform` returns it: same rows, same layout
                made.append(block)
            else:
                vectorizer.fit(data.texts)  # type: ignore[attr-defined]
            plain_vocabulary(vectorizer)
        if self.embeddings and data.embeddings is None:
            raise ConfigError(
                "features.embeddings is on but no embeddings were given; pass an embedder"
            )
        self.embedding_dim_ = (
            int(data.embeddings.shape[1]) if self.embeddings and data.embeddings is not None else 0
        )
        self.channels_ = sorted(set(data.channels)) if self.meta else []
        self.languages_ = sorted(set(data.languages)) if self.meta else []
        self.channel_shares_ = _shares(data.channels, self.channels_)
        self.language_shares_ = _shares(data.languages, self.languages_)
        return made

    def transform(self, data: FeatureInput) -> sp.csr_matrix:
        """Features of shape (n, n_features), float32 CSR.

        Up to `FAST_ROWS` rows (the service's micro-batches) take a row-by-row path that builds
        the same matrix without scikit-learn's per-call validation (about 10x cheaper per ticket).
        """
        if 0 < len(data) <= FAST_ROWS:
            return self._transform_rows(data)
        return self._transform_blocks(data)

    def _transform_blocks(
        self, data: FeatureInput, tfidf: list[sp.csr_matrix] | None = None
    ) -> sp.csr_matrix:
        """The whole matrix; `tfidf`: the TF-IDF blocks of `data` when the caller has them."""
        if tfidf is None:
            vectorizers: list[Any] = [v for v in (self.word_, self.char_) if v is not None]
            tfidf = [v.transform(data.texts) for v in vectorizers]
        blocks: list[sp.spmatrix] = list(tfidf)
        if self.embedding_dim_:
            blocks.append(sp.csr_matrix(self._embedding_block(data)))
        if self.meta:
            for values, vocabulary, shares in self._meta_columns(data):
                blocks.append(_one_hot(values, vocabulary, shares))
        if self.uses_cues:
            blocks.append(sp.csr_matrix(cue_matrix(data.texts)))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    @property
    def uses_cues(self) -> bool:
        return bool(getattr(self, "cues", False))  # featurisers pickled before cues: none

    def _transform_rows(self, data: FeatureInput) -> sp.csr_matrix:
        embedded = self._embedding_block(data) if self.embedding_dim_ else None
        meta = self._meta_columns(data) if self.meta else []
        rows = [self._row(data, i, embedded, meta) for i in range(len(data))]
        return _csr(rows, self.n_features_)

    def _row(
        self,
        data: FeatureInput,
        i: int,
        embedded: NDArray[np.float32] | None,
        meta: list[tuple[list[str], list[str], list[float] | None]],
    ) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Column indices (ascending) and values of row `i`, block by block as `hstack` lays out."""
        cols: list[NDArray[np.int64]] = []
        vals: list[NDArray[np.float32]] = []
        offset = 0
        for vectorizer in (self.word_, self.char_):
            if vectorizer is not None:
                c, v = tfidf_row(vectorizer, self._analyzer(vectorizer), data.texts[i])
                cols.append(c + offset)
                vals.append(v)
                offset += len(vectorizer.vocabulary_)  # type: ignore[attr-defined]
        if embedded is not None:
            nonzero = np.flatnonzero(embedded[i])  # csr_matrix(dense) drops exact zeros
            cols.append(nonzero + offset)
            vals.append(embedded[i, nonzero])
            offset += self.embedding_dim_
        if self.meta:
            for values, vocabulary, shares in meta:
                c, v = _one_hot_row(values[i], vocabulary, shares)
                cols.append(c + offset)
                vals.append(v)
                offset += max(len(vocabulary), 1)
        if self.uses_cues:
            flags = cue_matrix([data.texts[i]])[0]
            cols.append(np.flatnonzero(flags) + offset)
            vals.append(flags[flags > 0])
        return np.concatenate(cols or [np.zeros(0, np.int64)]), np.concatenate(
            vals or [np.zeros(0, np.float32)]
        )

    def _meta_columns(
        self, data: FeatureInput
    ) -> list[tuple[list[str], list[str], list[float] | None]]:
        """(values, vocabulary, training shares) of the channel and language columns. Models
        fitted before the shares were kept have none: an unseen value stays all zeros there."""
        return [
            (data.channels, self.channels_, getattr(self, "channel_shares_", None)),
            (self._languages(data), self.languages_, getattr(self, "language_shares_", None)),
        ]

    def _languages(self, data: FeatureInput) -> list[str]:
        """The tickets' languages, a missing one detected from the text where the training
        tickets had languages (the importer detects them, `triage.ingest`): served tickets often
        come without one, and the all-zero language column a served ticket had then, never seen
        in training, shifted the linear scores (hand-written development sets: support line
        accuracy 0.70 -> 0.82 with the language detected, BENCHMARKS.md). Where the training
        tickets had none (an import with detection off), a missing one stays "unknown"."""
        known = [v for v in self.languages_ if v != UNKNOWN]
        if not known or UNKNOWN not in data.languages:
            return data.languages
        return [
            (detect_language(text) or UNKNOWN) if language == UNKNOWN else language
            for text, language in zip(data.texts, data.languages, strict=True)
        ]

    @property
    def n_features_(self) -> int:
        """Width of the feature matrix."""
        vectorizers: list[Any] = [v for v in (self.word_, self.char_) if v is not None]
        width = sum(len(v.vocabulary_) for v in vectorizers) + self.embedding_dim_
        if self.meta:
            width += max(len(self.channels_), 1) + max(len(self.languages_), 1)
        if self.uses_cues:
            width += len(cue_names())
        return width

    def _analyzer(self, vectorizer: object) -> Callable[[str], list[str]]:
        cache: dict[int, Callable[[str], list[str]]] = self.__dict__.setdefault("_analyzers", {})
        key = id(vectorizer)
        if key not in cache:
            cache[key] = vectorizer.build_analyzer()  # type: ignore[attr-defined]
        return cache[key]

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_analyzers", None)  # rebuilt on first use; bound methods need not be pickled
        return state

    def _embedding_block(self, data: FeatureInput) -> NDArray[np.float32]:
        if data.embeddings is None or data.embeddings.shape[1] != self.embedding_dim_:
            got = None if data.embeddings is None else data.embeddings.shape[1]
            raise ConfigError(
                f"embedding dim {got} != {self.embedding_dim_} the model was trained with; "
                "use the bundle's embedder"
            )
        return (data.embeddings * self.embedding_weight).astype(np.float32)


def tfidf_row(
    vectorizer: object, analyzer: Callable[[str], list[str]], text: str
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """One document through a fitted `TfidfVectorizer` (sublinear tf, l2 norm), as sorted column
    indices and float32 values: what `vectorizer.transform([text])` holds, computed the same way.
    """
    vocabulary: dict[str, int] = vectorizer.vocabulary_  # type: ignore[attr-defined]
    counts: dict[int, int] = {}
    for feature in analyzer(text):
        column = vocabulary.get(feature)
        if column is not None:
            counts[column] = counts.get(column, 0) + 1
    cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    order = np.argsort(cols)
    cols = cols[order]
    vals = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))[order]
    if getattr(vectorizer, "binary", False):
        vals[:] = 1.0
    if getattr(vectorizer, "sublinear_tf", False):
        np.log(vals, vals)
        vals += 1.0
    if getattr(vectorizer, "use_idf", True):
        vals *= vectorizer.idf_[cols]  # type: ignore[attr-defined]
    norm_kind = getattr(vectorizer, "norm", "l2")
    if norm_kind not in ("l2", None):
        raise ConfigError("only l2-normalised TF-IDF has a one-document path; refit with norm=l2")
    if norm_kind == "l2" and len(vals):
        squares = vals.astype(np.float64)
        norm = np.sqrt(np.dot(squares, squares))  # double accumulation, as scikit-learn does
        if norm > 0:
            vals /= norm
    return cols, vals


def _shares(values: list[str], vocabulary: list[str]) -> list[float]:
    """Each vocabulary value's share of `values` (the training rows), in vocabulary order."""
    counts = dict.fromkeys(vocabulary, 0)
    for value in values:
        if value in counts:  # always, unless the featuriser keeps no such column (`meta` off)
            counts[value] += 1
    return [counts[v] / max(len(values), 1) for v in vocabulary]


def _one_hot_row(
    value: str, vocabulary: list[str], shares: list[float] | None
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Columns and values of one field: 1 at the value's column; for a value the training rows
    never had (a missing channel where every training ticket had one, a new channel), the
    training shares, so the linear models get their expected contribution of the field instead
    of a zero column they never saw; old models without shares: no column set."""
    if value in vocabulary:
        return np.array([vocabulary.index(value)], dtype=np.int64), np.ones(1, dtype=np.float32)
    if not shares:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    weights = np.asarray(shares, dtype=np.float32)
    cols = np.flatnonzero(weights)
    return cols.astype(np.int64), weights[cols]


def _one_hot(values: list[str], vocabulary: list[str], shares: list[float] | None) -> sp.csr_matrix:
    """`_one_hot_row` for every value, as one (n, len(vocabulary)) matrix."""
    rows = [_one_hot_row(v, vocabulary, shares) for v in values]
    return _csr(rows, max(len(vocabulary), 1))


def _csr(rows: list[tuple[NDArray[np.int64], NDArray[np.float32]]], width: int) -> sp.csr_matrix:
    """A float32 CSR matrix (len(rows), width) from each row's (column indices, values)."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(cols) for cols, _ in rows])
    indices = np.concatenate([cols for cols, _ in rows] or [np.zeros(0, np.int64)])
    values = np.concatenate([vals for _, vals in rows] or [np.zeros(0, np.float32)])
    return sp.csr_matrix(
        (values.astype(np.float32), indices.astype(np.int32), indptr), shape=(len(rows), width)
    )


def plain_vocabulary(vectorizer: Any) -> None:
    """Make a fitted vectoriser's `vocabulary_` values Python ints (scikit-learn leaves NumPy
    int64 after pruning). skops writes a NumPy scalar as a zip member of its own and a Python int
    inline: measured on 23k char n-grams, dump 21.5 s -> 0.66 s, load 5.9 s -> 0.88 s. Same
    transform. (`triage.compact_tfidf` goes further for the vectorisers triage builds: the whole
    vocabulary as one string.)"""
    vectorizer.vocabulary_ = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
