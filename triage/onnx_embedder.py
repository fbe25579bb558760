"""ONNX int8 MiniLM: export without optimum, run with plain onnxruntime + tokenizers."""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.atomic import atomic_folder
from triage.embeddings import l2_normalise, packaged_model_path
from triage.errors import ConfigError
from triage.outputs import EMBEDDER

logger = logging.getLogger(__name__)

MODEL_FILE = "model.int8.onnx"
META_FILE = "embedder.json"
TOKENIZER_FILE = "tokenizer.json"
DEFAULT_NAME = "minilm-onnx-int8"
MAX_LENGTH = 256
"""Tokens per text; sentence-transformers' MiniLM also truncates at 256."""


def _export_fp32(model_dir: Path, out_file: Path) -> None:
    """`torch.onnx.export` of the bare transformer with dynamic batch and sequence axes."""
    import torch
    from transformers import AutoModel

    class _Wrapped(torch.nn.Module):
        """Keyword call with a tensor output: transformers' forward takes many optional args."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    inner = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    model = _Wrapped(inner).eval()
    dummy = {
        "input_ids": torch.ones((2, 16), dtype=torch.long),
        "attention_mask": torch.ones((2, 16), dtype=torch.long),
        "token_type_ids": torch.zeros((2, 16), dtype=torch.long),
    }
    dynamic = {name: {0: "batch", 1: "seq"} for name in dummy}
    dynamic["last_hidden_state"] = {0: "batch", 1: "seq"}
    # The TorchScript exporter warns about advanced indexing that BERT's graph does not use with
    # negative indices; silence it so exports stay quiet.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(
            model,
            (dummy["input_ids"], dummy["attention_mask"], dummy["token_type_ids"]),
            str(out_file),
            input_names=list(dummy),
            output_names=["last_hidden_state"],
            dynamic_axes=dynamic,
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )


def export_onnx_int8(out_dir: Path, model_dir: Path | None = None) -> Path:
    """Export a local sentence-transformers MiniLM to an int8 ONNX folder, offline.

    Writes `model.int8.onnx`, `tokenizer.json` and `embedder.json` (name, dim, max_length) to
    `out_dir` atomically (`triage.atomic`: built beside it, renamed into place). Returns `out_dir`.
    Raises `ConfigError` when the model folder lacks a `tokenizer.json`.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    source = Path(model_dir) if model_dir else packaged_model_path()
    if not (source / TOKENIZER_FILE).is_file():
        raise ConfigError(
            f"{source}: no {TOKENIZER_FILE}; pass a sentence-transformers model folder"
        )
    with atomic_folder(Path(out_dir), kind=EMBEDDER) as work:
        fp32 = work / "model.fp32.onnx"
        _export_fp32(source, fp32)
        quantize_dynamic(
            str(fp32), str(work / MODEL_FILE), weight_type=QuantType.QInt8, per_channel=True
        )
        fp32.unlink()
        shutil.copy2(source / TOKENIZER_FILE, work / TOKENIZER_FILE)
        meta = {
            "name": DEFAULT_NAME,
            "dim": _hidden_size(source),
            "max_length": MAX_LENGTH,
            "source": source.name,
        }
        (work / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    logger.info("exported ONNX int8 embedder to %s", out_dir)
    return Path(out_dir)


def _hidden_size(model_dir: Path) -> int:
    config = json.loads((model_dir / "config.json").read_text())
    return int(config["hidden_size"])


def default_onnx_dir() -> Path:
    """Where "minilm-onnx-int8" is looked for: `$TRIAGE_EMBEDDER_ONNX`, else a user cache."""
    env = os.environ.get("TRIAGE_EMBEDDER_ONNX")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "triage" / "embedder-onnx"


def ensure_exported(folder: Path) -> Path:
    """`folder` if it holds an exported model, else export the packaged MiniLM there first."""
    if not (Path(folder) / META_FILE).is_file():
        logger.warning("no ONNX embedder at %s; exporting the packaged MiniLM once (~30 s)", folder)
        export_onnx_int8(Path(folder))
    return Path(folder)


class OnnxEmbedder:
    """MiniLM through onnxruntime (int8): mean pooling over the attention mask, then L2 norm.

    `model_dir` is a folder written by `export_onnx_int8`. Loading is lazy; `threads` caps
    onnxruntime's intra-op threads (None lets it choose).
    """

    def __init__(self, model_dir: str | Path, threads: int | None = None) -> None:
        self.model_dir = Path(model_dir)
        meta_file = self.model_dir / META_FILE
        if not meta_file.is_file() or not (self.model_dir / MODEL_FILE).is_file():
            raise ConfigError(
                f"{self.model_dir}: not an exported ONNX embedder; "
                "run `triage embedder export --out DIR` first"
            )
        self._meta: dict[str, Any] = json.loads(meta_file.read_text())
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._loading = threading.Lock()  # the service embeds on two threads; load once

    @property
    def name(self) -> str:
        return str(self._meta["name"])

    @property
    def dim(self) -> int:
        return int(self._meta["dim"])

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._loading:
            if self._session is None:
                self._open()

    def _open(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
        # Idle intra-op threads otherwise spin on the other core after every call, where the
        # service's retrieval, HTTP and database work needs it.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        tokenizer = Tokenizer.from_file(str(self.model_dir / TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=int(self._meta.get("max_length", MAX_LENGTH)))
        tokenizer.no_padding()  # `_encode_batch` pads each planned batch itself
        self._tokenizer = tokenizer
        # The session last: `_load` reads it as "loaded" without the lock.
        self._session = ort.InferenceSession(
            str(self.model_dir / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )

    def _encode_batch(self, token_ids: Sequence[list[int]]) -> NDArray[np.float32]:
        """Vectors (len(token_ids), dim) of one batch, right-padded with id 0 to its longest."""
        width = max(len(ids) for ids in token_ids)
        ids = np.zeros((len(token_ids), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, tokens in enumerate(token_ids):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(["last_hidden_state"], feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return l2_normalise(pooled.astype(np.float32))

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        """Vectors of shape (len(texts), dim), float32, L2-normalised.

        Texts are tokenised once, then run in batches of at most `batch_size` chosen by
        `plan_batches` on their token counts (texts of similar length together, so little
        padding is computed), and returned in the order given.
        """
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._load()
        token_ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for rows in plan_batches([len(ids) for ids in token_ids], batch_size):
            out[rows] = self._encode_batch([token_ids[i] for i in rows])
        return out


CALL_OVERHEAD_TOKENS = 12
"""What one more onnxruntime call costs, in tokens of a padded batch. Measured on the int8
MiniLM (2 cores): a text of 64 tokens alone took 4.7 ms, in a batch of 4 equal texts 4.0 ms
each, at about 0.06 ms per token (so about 0.7 ms, 12 tokens, per call saved)."""


def plan_batches(
    lengths: Sequence[int], max_batch: int, overhead: float = CALL_OVERHEAD_TOKENS
) -> list[NDArray[np.intp]]:
    """Rows (indices into `lengths`, token counts) grouped into batches of at most `max_batch`.

    A batch costs about `overhead` + its size x its longest text (every text is padded to it).
    Over the texts sorted by length, the split that minimises the total is found exactly by
    dynamic programming (O(n x max_batch)): similar lengths share a call, a long text does not
    pad short ones. Replaces fixed batches of `max_batch` over a sort by characters, which padded
    32 random tickets' batches of 8 to their longest (BENCHMARKS.md, Service).
    """
    order = np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")
    sizes = np.asarray(lengths, dtype=np.float64)[order]
    n, width = len(order), max(1, max_batch)
    best = np.zeros(n + 1)
    start = np.zeros(n + 1, dtype=np.intp)
    for end in range(1, n + 1):
        first = np.arange(max(0, end - width), end)
        costs = best[first] + overhead + (end - first) * sizes[end - 1]
        pick = int(np.argmin(costs))
        best[end], start[end] = costs[pick], first[pick]
    batches: list[NDArray[np.intp]] = []
    end = n
    while end > 0:
        batches.append(order[start[end] : end])
        end = int(start[end])
    return batches[::-1]


def cap_threads(embedder: object, threads: int) -> None:
    """Cap an ONNX embedder's onnxruntime threads (0 keeps its default; other embedders are left
    alone). Call it before the first embedding, which creates the session."""
    if threads and isinstance(embedder, OnnxEmbedder):
        embedder.threads = threads
