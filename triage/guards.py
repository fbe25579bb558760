"""Guards against confident-looking mistakes: near ties and tickets unlike the training tickets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


def top_two_margin(proba: NDArray[np.float64]) -> NDArray[np.float64]:
    """Top-1 minus top-2 probability per row of proba (n, k); 1.0 for a single class."""
    if proba.shape[1] < 2:
        return np.ones(len(proba))
    top = np.sort(proba, axis=1)[:, -2:]
    margin: NDArray[np.float64] = top[:, 1] - top[:, 0]
    return margin


@dataclass(frozen=True)
class FamiliarityGuard:
    """No `auto` for a ticket unlike the training tickets.

    Unfamiliar: the cosine similarity of its nearest training ticket (embedding space) is below
    `min_similarity`, or none of its words is in the model's word vocabulary. `min_similarity`
    is the `quantile` of the validation tickets' nearest-training-ticket similarity: a ticket
    less like the training data than all but that share of ordinary new tickets were.
    """

    min_similarity: float
    quantile: float

    def why(self, similarity: float | None, known_words: int | None) -> str | None:
        """The sentence that explains why the ticket is unfamiliar; None when it is not."""
        if known_words == 0:
            return "unfamiliar ticket: none of its words occurs in the training tickets"
        if similarity is not None and similarity < self.min_similarity:
            return (
                f"unfamiliar ticket: nearest training ticket similarity {similarity:.3f} "
                f"< {self.min_similarity:.3f}"
            )
        return None

    def flags(
        self, similarity: NDArray[np.float32] | None, known_words: NDArray[np.int64] | None, n: int
    ) -> list[str | None]:
        """`why` for n tickets at once."""
        return [
            self.why(
                None if similarity is None else float(similarity[i]),
                None if known_words is None else int(known_words[i]),
            )
            for i in range(n)
        ]


def choose_familiarity(similarity: NDArray[np.float32], quantile: float) -> FamiliarityGuard:
    """The guard from validation tickets' nearest-training-ticket similarity (n,)."""
    floor = float(np.quantile(similarity, quantile)) if len(similarity) else 0.0
    return FamiliarityGuard(floor, quantile)


def known_word_counts(featurizer: Any, texts: Sequence[str]) -> NDArray[np.int64] | None:
    """Per text, how many of its word tokens are in the featurizer's word vocabulary (n,).

    None when the featurizer has no word block. Tokens are those of the word TF-IDF (lowercase,
    scikit-learn's token pattern); bigrams are not counted.
    """
    vectorizer = getattr(featurizer, "word_", None)
    if vectorizer is None:
        return None
    vocabulary = vectorizer.vocabulary_
    tokenize = vectorizer.build_tokenizer()
    return np.asarray(
        [sum(token in vocabulary for token in tokenize(text.lower())) for text in texts],
        dtype=np.int64,
    )
