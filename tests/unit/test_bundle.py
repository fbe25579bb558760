"""Bundles: checksums checked before unpickling; tampered, missing or incompatible ones refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.bundle import (
    MANIFEST,
    MODEL_FILE,
    RETRIEVAL_DIR,
    copy_bundle,
    load_model,
    verify_bundle,
    write_bundle,
)
from triage.classifiers import TargetClassifier
from triage.embeddings import HashingEmbedder
from triage.errors import BundleError
from triage.features import TicketFeaturizer, feature_input
from triage.policy import ActionPolicy
from triage.prediction import Action
from triage.retrieval import Retriever
from triage.schema import Status, Ticket
from triage.triager import TriageModel, Triager

WORDS = {"Network": "vpn wifi router dns", "Hardware": "laptop screen printer mouse"}


def tiny_model(embedder: HashingEmbedder) -> TriageModel:
    tickets = [
        Ticket(ticket_id=f"{c}{i}", subject=f"{w} {i}", category=c)
        for c, w in WORDS.items()
        for i in range(10)
    ]
    data = feature_input(tickets, embedder.encode([t.text for t in tickets]))
    featurizer = TicketFeaturizer(min_df=1).fit(data)
    clf = TargetClassifier().fit(featurizer.transform(data), [t.category for t in tickets])
    policy = ActionPolicy({"Network": 0.6, "Hardware": 0.6})
    return TriageModel(featurizer, {"category": clf}, {"category": policy})


@pytest.fixture()
def bundle(tmp_path: Path) -> Path:
    embedder = HashingEmbedder(16)
    manifest = {
        "version": "test-1",
        "embedder": {"name": embedder.name, "dim": 16, "spec": "hashing-16"},
    }
    return write_bundle(tmp_path / "bundle", tiny_model(embedder), manifest)


def test_bundle_manifest_lists_checksums_and_versions(bundle: Path) -> None:
    manifest = json.loads((bundle / MANIFEST).read_text())
    assert manifest["schema_version"] == 1
    assert set(manifest["files"]) == {MODEL_FILE}
    assert "scikit-learn" in manifest["libraries"]
    assert verify_bundle(bundle)["version"] == "test-1"


def test_bundle_round_trip_predicts(bundle: Path) -> None:
    triager = Triager.load(bundle)
    result = triager.predict(Ticket(ticket_id="q", subject="vpn router down"))
    assert result.predictions["category"].label == "Network"
    assert result.predictions["category"].action in set(Action)
    assert result.model_version == "test-1"
    assert triager.targets == ("category",)
    assert triager.retriever is None


def test_bundle_tampered_model_is_refused(bundle: Path) -> None:
    with (bundle / MODEL_FILE).open("ab") as handle:
        handle.write(b"evil")
    with pytest.raises(BundleError, match="checksum mismatch"):
        Triager.load(bundle)


def test_bundle_extra_file_is_refused(bundle: Path) -> None:
    (bundle / "sneaky.pkl").write_bytes(b"x")
    with pytest.raises(BundleError, match="not in the manifest"):
        load_model(bundle)


def test_bundle_missing_file_and_folder_are_refused(bundle: Path, tmp_path: Path) -> None:
    (bundle / MODEL_FILE).unlink()
    with pytest.raises(BundleError, match="missing"):
        load_model(bundle)
    with pytest.raises(BundleError, match="no such bundle"):
        load_model(tmp_path / "nowhere")


def test_bundle_other_schema_version_is_refused(bundle: Path) -> None:
    manifest = json.loads((bundle / MANIFEST).read_text())
    manifest["schema_version"] = 99
    (bundle / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="schema 99"):
        Triager.load(bundle)


def test_bundle_embedder_dim_mismatch_is_refused(bundle: Path) -> None:
    with pytest.raises(BundleError, match="dim 8 != 16"):
        Triager.load(bundle, embedder=HashingEmbedder(8))


@pytest.fixture()
def bundle_with_retrieval(tmp_path: Path) -> Path:
    embedder = HashingEmbedder(16)
    tickets = [
        Ticket(
            ticket_id=f"{c}{i}",
            subject=f"{w} {i}",
            category=c,
            status=Status.RESOLVED,
            solution=f"fixed {i}",
        )
        for c, w in WORDS.items()
        for i in range(6)
    ]
    retriever = Retriever.build(tickets, [], embedder)
    manifest = {"version": "r-1", "embedder": {"name": embedder.name, "dim": 16}}

    def save(folder: Path) -> None:
        retriever.save(folder / RETRIEVAL_DIR, checksums=False)

    return write_bundle(tmp_path / "bundle", tiny_model(embedder), manifest, save)


def test_bundle_manifest_is_the_one_checksum_layer(bundle_with_retrieval: Path) -> None:
    files = json.loads((bundle_with_retrieval / MANIFEST).read_text())["files"]
    on_disk = {
        p.relative_to(bundle_with_retrieval).as_posix()
        for p in bundle_with_retrieval.rglob("*")
        if p.is_file() and p != bundle_with_retrieval / MANIFEST
    }
    assert set(files) == on_disk and "retrieval/tickets/dense/index.faiss" in files
    assert not list(bundle_with_retrieval.rglob("checksums.json"))
    assert Triager.load(bundle_with_retrieval).retriever is not None


@pytest.mark.parametrize(
    "name", ["retrieval/tickets/dense/index.faiss", "retrieval/tickets.json", MODEL_FILE]
)
def test_bundle_truncated_file_anywhere_is_refused(bundle_with_retrieval: Path, name: str) -> None:
    path = bundle_with_retrieval / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(BundleError, match=f"{name} checksum mismatch"):
        Triager.load(bundle_with_retrieval)


def test_bundle_copy_stamps_the_manifest_and_replaces_the_target_whole(
    bundle: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exported"
    out.mkdir()
    (out / "manifest.json").write_text("{}")  # an older export: a bundle folder
    (out / "stale.pkl").write_bytes(b"from an older export")
    copy_bundle(bundle, out, {"version": "registry-v7", "registry": {"version": 7}})
    manifest = verify_bundle(out)
    assert manifest["version"] == "registry-v7" and manifest["registry"] == {"version": 7}
    assert not (out / "stale.pkl").exists()
    assert manifest["files"] == verify_bundle(bundle)["files"]


def test_bundle_copy_of_a_tampered_bundle_is_refused(bundle: Path, tmp_path: Path) -> None:
    with (bundle / MODEL_FILE).open("ab") as handle:
        handle.write(b"evil")
    with pytest.raises(BundleError, match="checksum mismatch"):
        copy_bundle(bundle, tmp_path / "out", {})
    assert not (tmp_path / "out").exists()
