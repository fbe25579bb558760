"""Bundles load only from under the bundle root, without symlinks, from bytes that were hashed;
a tampered, truncated or out-of-root bundle is refused through the admin reload while the old
one keeps serving."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_helpers import VPN_TICKET, issue_keys

from api.app import create_app
from api.errors import PROBLEM
from api.settings import Settings
from triage.bundle import MODEL_FILE, load_verified
from triage.errors import BundleError


def _tamper(bundle: Path) -> str:
    data = bytearray((bundle / MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (bundle / MODEL_FILE).write_bytes(bytes(data))
    return "checksum mismatch"


def _truncate(bundle: Path) -> str:
    index = next((bundle / "retrieval").rglob("index.faiss"))
    index.write_bytes(index.read_bytes()[:100])
    return "tampered or truncated"


def _symlink_file(bundle: Path) -> str:
    (bundle / MODEL_FILE).rename(bundle.parent / "elsewhere.joblib")
    (bundle / MODEL_FILE).symlink_to(bundle.parent / "elsewhere.joblib")
    return "symlink"


@pytest.fixture()
def served(make_settings: Callable[..., Settings], bundle_v1: Path, tmp_path: Path) -> Any:
    root = tmp_path / "models"
    root.mkdir()
    with TestClient(create_app(make_settings(bundle_dir=bundle_v1, bundle_root=root))) as c:
        yield c, issue_keys(c), root


def _still_serving_v1(c: TestClient, keys: dict[str, dict[str, str]]) -> None:
    r = c.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"])
    assert r.status_code == 200 and r.json()["model_version"] == "v1"


@pytest.mark.parametrize("damage", [_tamper, _truncate, _symlink_file])
def test_bundle_safety_damaged_bundle_is_refused_and_the_old_one_serves(
    served: Any, bundle_v2: Path, damage: Callable[[Path], str]
) -> None:
    c, keys, root = served
    copy = shutil.copytree(bundle_v2, root / "v2")
    expected = damage(copy)
    r = c.post("/v1/admin/reload", json={"bundle_dir": str(copy)}, headers=keys["admin"])
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, r.text
    assert expected in r.json()["detail"] and "still serving v1" in r.json()["detail"]
    _still_serving_v1(c, keys)


def test_bundle_safety_out_of_root_and_symlinked_folders_are_refused(
    served: Any, bundle_v2: Path, tmp_path: Path
) -> None:
    c, keys, root = served
    assert (
        c.post(
            "/v1/admin/reload", json={"bundle_dir": str(root / "nope")}, headers=keys["admin"]
        ).status_code
        == 404
    )
    for target in (bundle_v2, root / ".." / bundle_v2.name):
        r = c.post("/v1/admin/reload", json={"bundle_dir": str(target)}, headers=keys["admin"])
        assert r.status_code == 403 and "outside TRIAGE_BUNDLE_ROOT" in r.json()["detail"]
    (root / "link").symlink_to(bundle_v2, target_is_directory=True)
    r = c.post("/v1/admin/reload", json={"bundle_dir": str(root / "link")}, headers=keys["admin"])
    assert r.status_code == 403 and "symlink" in r.json()["detail"]
    _still_serving_v1(c, keys)
    good = shutil.copytree(bundle_v2, root / "v2")
    r = c.post("/v1/admin/reload", json={"bundle_dir": str(good)}, headers=keys["admin"])
    assert r.status_code == 200 and r.json()["version"] == "v2"


def test_bundle_safety_model_comes_from_the_bytes_that_were_hashed(
    bundle_v1: Path, bundle_v2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verified bytes are what is deserialised: the model file swapped for another valid
    model after the hash and before the load (the window a hash-then-reopen loader leaves)
    changes nothing, and a wrong file is refused up front on the next load."""
    import triage.bundle as bundle_module

    copy = shutil.copytree(bundle_v1, tmp_path / "v1")
    _, clean = load_verified(bundle_v1)
    _, other = load_verified(bundle_v2)
    checked = bundle_module._check_schema

    def check_then_swap(bundle_dir: Path, manifest: dict[str, Any]) -> None:
        checked(bundle_dir, manifest)  # the hashes were compared; now the file is replaced
        (copy / MODEL_FILE).write_bytes((bundle_v2 / MODEL_FILE).read_bytes())

    monkeypatch.setattr(bundle_module, "_check_schema", check_then_swap)
    verified, model = load_verified(copy)
    monkeypatch.undo()
    assert verified.files[MODEL_FILE] != (copy / MODEL_FILE).read_bytes()  # the swap happened
    ours, v1, v2 = (pickle.dumps(m) for m in (model, clean, other))
    assert v1 != v2  # the swapped-in file holds another model
    assert ours == v1  # the one whose bytes were hashed
    with pytest.raises(BundleError, match="checksum mismatch"):
        load_verified(copy)
