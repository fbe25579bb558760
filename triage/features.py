"""Ticket features: TF-IDF word and char n-grams, sentence embeddings, channel/language one-hot."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from triage.errors import ConfigError
from triage.schema import Ticket

logger = logging.getLogger(__name__)


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
    """`FeatureInput` from tickets (missing channel/language become "unknown")."""
    return FeatureInput(
        texts=[t.text for t in tickets],
        channels=[str(t.channel.value) if t.channel else "unknown" for t in tickets],
        languages=[t.language or "unknown" for t in tickets],
        embeddings=embeddings,
    )


class TicketFeaturizer:
    """Sparse feature matrix from text and fields; scikit-learn style (`fit` returns self).

    Blocks (each switchable): word TF-IDF (1-2 grams), char_wb TF-IDF (3-5 grams), the sentence
    embedding scaled by `embedding_weight`, one-hot channel and language. Output: (n, f) CSR.
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
    ) -> None:
        self.word = word
        self.char = char
        self.embeddings = embeddings
        self.meta = meta
        self.embedding_weight = embedding_weight
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.min_df = min_df

    def _check(self) -> None:
        if not (self.word or self.char or self.embeddings or self.meta):
            raise ConfigError(
                "features: every block is switched off; enable word, char or embeddings"
            )

    def _tfidf(
        self, analyzer: str, ngrams: tuple[int, int], max_features: int, n_docs: int
    ) -> object:
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            analyzer=analyzer,
            ngram_range=ngrams,
            min_df=self.min_df if n_docs >= 50 else 1,
            max_features=max_features,
            sublinear_tf=True,
            lowercase=True,
            dtype=np.float32,
        )

    def fit(self, data: FeatureInput) -> TicketFeaturizer:
        self._check()
        self.word_ = (
            self._tfidf("word", (1, 2), self.max_word_features, len(data)) if self.word else None
        )
        self.char_ = (
            self._tfidf("char_wb", (3, 5), self.max_char_features, len(data)) if self.char else None
        )
        for vectorizer in (self.word_, self.char_):
            if vectorizer is not None:
                vectorizer.fit(data.texts)  # type: ignore[attr-defined]
        if self.embeddings and data.embeddings is None:
            raise ConfigError(
                "features.embeddings is on but no embeddings were given; pass an embedder"
            )
        self.embedding_dim_ = (
            int(data.embeddings.shape[1]) if self.embeddings and data.embeddings is not None else 0
        )
        self.channels_ = sorted(set(data.channels)) if self.meta else []
        self.languages_ = sorted(set(data.languages)) if self.meta else []
        return self

    def transform(self, data: FeatureInput) -> sp.csr_matrix:
        """Features of shape (n, n_features), float32 CSR."""
        blocks: list[sp.spmatrix] = []
        for vectorizer in (self.word_, self.char_):
            if vectorizer is not None:
                blocks.append(vectorizer.transform(data.texts))  # type: ignore[attr-defined]
        if self.embedding_dim_:
            blocks.append(sp.csr_matrix(self._embedding_block(data)))
        if self.meta:
            blocks.append(_one_hot(data.channels, self.channels_))
            blocks.append(_one_hot(data.languages, self.languages_))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _embedding_block(self, data: FeatureInput) -> NDArray[np.float32]:
        if data.embeddings is None or data.embeddings.shape[1] != self.embedding_dim_:
            got = None if data.embeddings is None else data.embeddings.shape[1]
            raise ConfigError(
                f"embedding dim {got} != {self.embedding_dim_} the model was trained with; "
                "use the bundle's embedder"
            )
        return (data.embeddings * self.embedding_weight).astype(np.float32)

    def fit_transform(self, data: FeatureInput) -> sp.csr_matrix:
        return self.fit(data).transform(data)


def _one_hot(values: list[str], vocabulary: list[str]) -> sp.csr_matrix:
    index = {v: i for i, v in enumerate(vocabulary)}
    rows = [r for r, v in enumerate(values) if v in index]
    cols = [index[values[r]] for r in rows]
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(values), max(len(vocabulary), 1)))
