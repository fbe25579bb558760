"""Embedders: the hashing stand-in, `load_embedder` specs, the real MiniLM and its ONNX export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from triage.embeddings import (
    HashingEmbedder,
    SentenceTransformerEmbedder,
    load_embedder,
    spec_for_name,
)
from triage.errors import ConfigError

TICKETS = [
    "Outlook keeps asking for my password after the update",
    "VPN disconnects every ten minutes when I work from home",
    "Printer on the third floor is jammed and shows error E-204",
    "Mein Passwort ist abgelaufen und ich kann mich nicht anmelden",
    "Laptop battery drains in one hour, replacement needed",
    "Access denied 0x80070005 when installing the Office update on srv-fin-07",
    "Need access to the finance shared drive for the audit",
    "Teams calls drop audio after 5 minutes on wifi",
]


def test_embeddings_hashing_is_deterministic_and_normalised() -> None:
    embedder = HashingEmbedder(64)
    a, b = embedder.encode(TICKETS), embedder.encode(TICKETS)
    assert a.shape == (len(TICKETS), 64) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-5)
    assert embedder.encode([]).shape == (0, 64)


def test_embeddings_load_embedder_specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from triage.onnx_embedder import META_FILE, MODEL_FILE, OnnxEmbedder

    assert load_embedder("hashing-32").dim == 32
    torch_embedder = load_embedder("minilm-torch")
    assert isinstance(torch_embedder, SentenceTransformerEmbedder)
    assert spec_for_name(torch_embedder.name) == "minilm-torch"
    # The default is the ONNX int8 export, found through $TRIAGE_EMBEDDER_ONNX (loaded lazily).
    (tmp_path / META_FILE).write_text(json.dumps({"name": "minilm-onnx-int8", "dim": 384}))
    (tmp_path / MODEL_FILE).write_bytes(b"")
    monkeypatch.setenv("TRIAGE_EMBEDDER_ONNX", str(tmp_path))
    default = load_embedder(None)
    assert isinstance(default, OnnxEmbedder) and default.dim == 384
    assert spec_for_name(default.name) == "minilm-onnx-int8"
    with pytest.raises(ConfigError, match="unknown embedder"):
        load_embedder(str(tmp_path / "nowhere"))


def test_embeddings_onnx_folder_without_export_is_refused(tmp_path: Path) -> None:
    from triage.onnx_embedder import OnnxEmbedder

    with pytest.raises(ConfigError, match="triage embedder export"):
        OnnxEmbedder(tmp_path)


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.mark.slow
def test_embeddings_packaged_minilm_ranks_paraphrase_first(
    minilm: SentenceTransformerEmbedder,
) -> None:
    vectors = minilm.encode(TICKETS)
    assert vectors.shape == (len(TICKETS), 384) and minilm.dim == 384
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    query = minilm.encode(["my vpn connection keeps dropping at home"])[0]
    assert int(np.argmax(vectors @ query)) == 1


@pytest.mark.slow
def test_embeddings_onnx_int8_matches_torch(
    minilm: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    from triage.onnx_embedder import OnnxEmbedder, cap_threads, export_onnx_int8

    folder = export_onnx_int8(tmp_path / "onnx")
    onnx = load_embedder(str(folder))
    assert isinstance(onnx, OnnxEmbedder) and onnx.dim == 384
    long_text = " ".join(TICKETS * 8)  # past the 256-token truncation
    texts = [*TICKETS, "wifi down", long_text]
    cosine = np.sum(onnx.encode(texts, batch_size=3) * minilm.encode(texts), axis=1)
    assert cosine.min() >= 0.98, cosine
    # a thread cap set before the first embedding (`TRIAGE_EMBED_THREADS`, `--embed-threads`)
    # is the session's: the attribute alone is what tests/api/test_api_settings_cli.py sees
    capped = OnnxEmbedder(folder)
    cap_threads(capped, 1)
    np.testing.assert_allclose(capped.encode(texts[:2]), onnx.encode(texts[:2]), atol=1e-6)
    assert capped._session.get_session_options().intra_op_num_threads == 1
    assert onnx._session.get_session_options().intra_op_num_threads == 0  # onnxruntime's choice


def test_embeddings_multilingual_use_pairs_translations() -> None:
    """The multilingual USE loads offline from its package; a Dutch, English and German phrasing
    of one complaint sit closer to each other than to an unrelated ticket."""
    embedder = load_embedder("use-multilingual")
    assert (embedder.name, embedder.dim) == ("use-multilingual-v3", 512)
    vectors = embedder.encode(
        [
            "Outlook start niet meer op",
            "Outlook does not start anymore",
            "Outlook startet nicht mehr",
            "De printer op de tweede verdieping is vastgelopen",
        ],
        batch_size=2,
    )
    assert vectors.shape == (4, 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    sims = vectors @ vectors.T
    assert min(sims[0, 1], sims[0, 2], sims[1, 2]) > max(sims[3, :3]) + 0.3
    assert load_embedder(spec_for_name(embedder.name)).name == embedder.name
