"""The on-disk embedding cache: same vectors, no re-encoding of known texts, keyed by model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from triage.embedding_cache import CachedEmbedder
from triage.embeddings import HashingEmbedder


class CountingEmbedder(HashingEmbedder):
    def __init__(self, dim: int = 16) -> None:
        super().__init__(dim)
        self.encoded = 0

    def encode(self, texts, batch_size=32):  # type: ignore[no-untyped-def]
        self.encoded += len(texts)
        return super().encode(texts, batch_size)


def test_embedding_cache_reuses_vectors_across_instances(tmp_path: Path) -> None:
    texts = ["vpn down", "printer jam", "vpn down"]
    first = CountingEmbedder()
    vectors = CachedEmbedder(first, tmp_path).encode(texts)
    assert first.encoded == 2  # the repeat is encoded once
    np.testing.assert_array_equal(vectors, HashingEmbedder(16).encode(texts))
    second = CountingEmbedder()
    again = CachedEmbedder(second, tmp_path).encode([*texts, "new text"])
    assert second.encoded == 1
    np.testing.assert_array_equal(again[:3], vectors)


def test_embedding_cache_is_keyed_by_model_name(tmp_path: Path) -> None:
    CachedEmbedder(HashingEmbedder(16), tmp_path).encode(["a b"])
    other = CountingEmbedder(8)
    CachedEmbedder(other, tmp_path).encode(["a b"])
    assert other.encoded == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hashing-16", "hashing-8"]


def test_embedding_cache_empty_input(tmp_path: Path) -> None:
    assert CachedEmbedder(HashingEmbedder(16), tmp_path).encode([]).shape == (0, 16)


class ExplodingEmbedder(HashingEmbedder):
    """Fails if the model is touched: a warm cache must not load it."""

    @property
    def dim(self) -> int:
        raise AssertionError("model loaded")

    def encode(self, texts, batch_size=32):  # type: ignore[no-untyped-def]
        raise AssertionError("model loaded")


def test_embedding_cache_warm_retrain_never_loads_the_model(tmp_path: Path) -> None:
    CachedEmbedder(HashingEmbedder(16), tmp_path).encode(["a b", "c d"])
    warm = CachedEmbedder(ExplodingEmbedder(16), tmp_path)
    assert warm.dim == 16
    assert warm.encode(["c d"]).shape == (1, 16)
