"""An on-disk embedding cache keyed by a keyed hash of the text and the model, wrapping any
`Embedder`."""

from __future__ import annotations

import logging
import os
import re
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from triage.embeddings import Embedder
from triage.privacy.hashing import DEFAULT_SECRET_FILE, Pseudonymizer, load_secret

logger = logging.getLogger(__name__)


def text_key(text: str, keyer: Pseudonymizer) -> str:
    """Hex HMAC-SHA256 of the text under the deployment secret (32 hex chars are enough to never
    collide in practice). Keyed, not a bare SHA-256: whoever reads the cache cannot test a
    guessed text ("is `bel Jan op 06-...` in there?") without the secret."""
    return keyer.hash(text, purpose="cache")[:32]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "model"


class CachedEmbedder:
    """An `Embedder` that remembers vectors on disk, so a retrain does not re-encode old tickets.

    Vectors live in `cache_dir/<model name>/k-<secret tag>/shard-*.npz` (keys + float32
    vectors); each `encode` that meets unseen texts appends one shard. Safe to share between
    runs of the same model and deployment secret (`keyer`; default: the one in
    `DEFAULT_SECRET_FILE`). `forget` erases texts.
    """

    def __init__(
        self, embedder: Embedder, cache_dir: Path, keyer: Pseudonymizer | None = None
    ) -> None:
        self.embedder = embedder
        self.keyer = keyer or Pseudonymizer(load_secret(DEFAULT_SECRET_FILE))
        # One folder per secret: keys made under another secret would never hit.
        tag = self.keyer.hash("folder", purpose="cache")[:12]
        self.folder = Path(cache_dir) / _safe(embedder.name) / f"k-{tag}"
        self._memory: dict[str, NDArray[np.float32]] | None = None
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def dim(self) -> int:
        """From the cached vectors when there are any, so a warm retrain never loads the model."""
        memory = self._load()
        if memory:
            return len(next(iter(memory.values())))
        return self.embedder.dim

    def _load(self) -> dict[str, NDArray[np.float32]]:
        if self._memory is None:
            self._memory = {}
            for shard in sorted(self.folder.glob("shard-*.npz")):
                with np.load(shard, allow_pickle=False) as data:
                    self._memory.update(zip(data["keys"].tolist(), data["vectors"], strict=True))
            logger.info("embedding cache %s: %d vectors", self.folder, len(self._memory))
        return self._memory

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        """Vectors of shape (len(texts), dim), float32; only texts not cached are encoded."""
        memory = self._load()
        keys = [text_key(t, self.keyer) for t in texts]
        todo = sorted(
            {k: i for i, k in enumerate(keys) if k not in memory}.items(), key=lambda kv: kv[1]
        )
        self.misses += len(todo)
        self.hits += len(keys) - len(todo)
        if todo:
            fresh = self.embedder.encode([texts[i] for _, i in todo], batch_size=batch_size)
            new_keys = [k for k, _ in todo]
            memory.update(zip(new_keys, fresh, strict=True))
            self._write_shard(new_keys, fresh)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.ascontiguousarray(np.stack([memory[k] for k in keys]), dtype=np.float32)

    def _write_shard(self, keys: list[str], vectors: NDArray[np.float32]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.folder / f"shard-{uuid.uuid4().hex}.npz"
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp.npz")
        os.close(fd)
        np.savez(tmp, keys=np.array(keys), vectors=np.asarray(vectors, dtype=np.float32))
        os.replace(tmp, final)

    def forget(self, texts: Sequence[str]) -> int:
        """Erase the vectors of `texts` from memory and disk (each shard that holds one is
        rewritten without it, atomically); returns how many vectors were removed."""
        doomed = {text_key(t, self.keyer) for t in texts}
        if self._memory is not None:
            for key in doomed:
                self._memory.pop(key, None)
        removed = 0
        for shard in sorted(self.folder.glob("shard-*.npz")):
            removed += _rewrite_without(shard, doomed)
        return removed


def _rewrite_without(shard: Path, doomed: set[str]) -> int:
    """Rewrite `shard` without the keys in `doomed` (deleted when none is left); how many went."""
    with np.load(shard, allow_pickle=False) as data:
        keys, vectors = data["keys"], data["vectors"]
    keep = np.array([k not in doomed for k in keys.tolist()], dtype=bool)
    gone = int((~keep).sum())
    if not gone:
        return 0
    if not keep.any():
        shard.unlink()
        return gone
    fd, tmp = tempfile.mkstemp(dir=shard.parent, suffix=".tmp.npz")
    os.close(fd)
    np.savez(tmp, keys=keys[keep], vectors=vectors[keep])
    os.replace(tmp, shard)
    return gone
