"""The ONNX embedder travels inside the bundle: copied, checksummed, loaded without an export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.bundle import EMBEDDER_DIR, MANIFEST, bundle_embedder, verify_bundle, write_bundle
from triage.errors import BundleError
from triage.onnx_embedder import META_FILE, MODEL_FILE, TOKENIZER_FILE, OnnxEmbedder

ONNX = {"name": "minilm-onnx-int8", "dim": 384}


def fake_export(folder: Path) -> Path:
    """The three files `triage embedder export` writes (the model bytes are never run here)."""
    folder.mkdir(parents=True)
    (folder / META_FILE).write_text(json.dumps({**ONNX, "max_length": 256}))
    (folder / MODEL_FILE).write_bytes(b"onnx model bytes")
    (folder / TOKENIZER_FILE).write_text("{}")
    return folder


def onnx_bundle(out: Path, spec: str) -> Path:
    return write_bundle(out, {"a": "model"}, {"embedder": {**ONNX, "spec": spec}})


def test_bundle_embedder_copied_and_listed_in_the_manifest(tmp_path: Path) -> None:
    source = fake_export(tmp_path / "export")
    bundle = onnx_bundle(tmp_path / "bundle", str(source))
    manifest = verify_bundle(bundle)
    assert manifest["embedder"]["folder"] == EMBEDDER_DIR
    listed = {f"{EMBEDDER_DIR}/{name}" for name in (META_FILE, MODEL_FILE, TOKENIZER_FILE)}
    assert listed <= set(manifest["files"])
    (source / MODEL_FILE).unlink()  # the bundle no longer needs the folder it was built from
    embedder = bundle_embedder(bundle, manifest)
    assert isinstance(embedder, OnnxEmbedder) and embedder.model_dir == bundle / EMBEDDER_DIR


def test_bundle_embedder_tampered_is_refused(tmp_path: Path) -> None:
    bundle = onnx_bundle(tmp_path / "bundle", str(fake_export(tmp_path / "export")))
    (bundle / EMBEDDER_DIR / MODEL_FILE).write_bytes(b"something else")
    with pytest.raises(BundleError, match="checksum mismatch"):
        verify_bundle(bundle)


def test_bundle_embedder_default_spec_copies_the_configured_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_EMBEDDER_ONNX", str(fake_export(tmp_path / "models" / "onnx")))
    bundle = onnx_bundle(tmp_path / "bundle", "minilm")
    assert (bundle / EMBEDDER_DIR / MODEL_FILE).read_bytes() == b"onnx model bytes"


def test_bundle_embedder_old_bundle_without_export_is_refused_not_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-export"
    monkeypatch.setenv("TRIAGE_EMBEDDER_ONNX", str(missing))
    bundle = onnx_bundle(tmp_path / "bundle", "minilm-onnx-int8")  # nothing to copy: old style
    manifest = json.loads((bundle / MANIFEST).read_text())
    assert "folder" not in manifest["embedder"]
    with pytest.raises(BundleError, match="TRIAGE_EMBEDDER_ONNX"):
        bundle_embedder(bundle, manifest)
    assert not missing.exists()  # no export was started


def test_bundle_embedder_old_bundle_falls_back_to_an_existing_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_EMBEDDER_ONNX", str(tmp_path / "later"))
    bundle = onnx_bundle(tmp_path / "bundle", "minilm-onnx-int8")
    export = fake_export(tmp_path / "later")  # exported after the bundle was written
    embedder = bundle_embedder(bundle, json.loads((bundle / MANIFEST).read_text()))
    assert isinstance(embedder, OnnxEmbedder) and embedder.model_dir == export


def test_bundle_embedder_hashing_is_named_not_copied(tmp_path: Path) -> None:
    manifest = {"embedder": {"name": "hashing-16", "dim": 16, "spec": "hashing-16"}}
    bundle = write_bundle(tmp_path / "bundle", {"a": "model"}, manifest)
    assert not (bundle / EMBEDDER_DIR).exists()
    embedder = bundle_embedder(bundle, verify_bundle(bundle))
    assert embedder is not None and embedder.name == "hashing-16"
