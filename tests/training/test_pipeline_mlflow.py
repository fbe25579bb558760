"""The whole loop on tiny data with a real MLflow store: train, register, promote, export, load."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from tiny_data import make_tickets, tiny_config
from typer.testing import CliRunner

from training.config import TrainConfig
from training.pipeline import TrackedRun, attach_retriever, run_training
from training.promote import export, promote, rollback
from training.tracking import CHALLENGER, CHAMPION, TrackingError, parse_model_uri, registry
from triage.bundle import read_manifest
from triage.dataset import write_tickets
from triage.embeddings import HashingEmbedder
from triage.schema import Status, Ticket
from triage.triager import Triager

TINY = Path(__file__).resolve().parents[2] / "training" / "configs" / "tiny.yaml"


@dataclass
class Loop:
    root: Path
    config: TrainConfig
    first: TrackedRun
    first_promotion: dict
    exported: Path
    eval_file: Path
    tickets: list[Ticket]


def shuffled_labels(tickets: list[Ticket], seed: int = 1) -> list[Ticket]:
    rng = random.Random(seed)
    categories = [t.category for t in tickets]
    rng.shuffle(categories)
    return [t.replace(category=c) for t, c in zip(tickets, categories, strict=True)]


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> Loop:
    root = tmp_path_factory.mktemp("mlflow-loop")
    config = tiny_config(tracking={"tracking_uri": f"sqlite:///{root}/mlruns/mlflow.db"})
    tickets = [t.replace(status=Status.RESOLVED) for t in make_tickets(300, seed=5)]
    first = run_training(config, tickets, root=root)
    promotion = promote(config, root=root)
    exported = root / "models" / "default"
    export(config, exported, root=root)
    eval_file = write_tickets(first.result.test_tickets, root / "frozen_eval.parquet")
    return Loop(root, config, first, promotion, exported, eval_file, tickets)


def test_pipeline_registers_challenger_and_first_promotion_makes_champion(loop: Loop) -> None:
    client = registry(loop.config, loop.root)
    assert client.get_model_version_by_alias("triage", CHALLENGER).version == int(
        loop.first.model_version
    )
    assert loop.first_promotion["promoted"] and loop.first_promotion["champion_before"] is None
    assert client.get_model_version_by_alias("triage", CHAMPION).version == int(
        loop.first.model_version
    )


def test_pipeline_run_logs_config_metrics_plots_and_bundle(loop: Loop) -> None:
    client = registry(loop.config, loop.root)
    run = client.get_run(loop.first.run_id)
    assert run.data.params["data_fingerprint"] == loop.first.result.data_fingerprint
    assert run.data.params["policy.target_precision"] == "0.9"
    assert run.data.metrics["category.accuracy"] >= 0.95
    assert "category.baseline_tfidf_lr.macro_f1" in run.data.metrics
    assert run.data.metrics["split.test"] == 60
    served = loop.first.result.served_summary()["category"]
    assert served["edge_over_baseline"]  # the baseline competed, so every blend has an edge
    for blend, edge in served["edge_over_baseline"].items():  # how clearly each blend won
        key = blend.replace("+", "_")
        assert run.data.metrics[f"category.edge.{key}"] == edge["points"]
        assert run.data.metrics[f"category.edge_se.{key}"] == edge["se"]
    paths = {a.path for a in client.list_artifacts(loop.first.run_id)}
    assert {"config.yaml", "plots", "bundle", "metrics", "eval"} <= paths
    plots = {Path(a.path).name for a in client.list_artifacts(loop.first.run_id, "plots")}
    assert "category_reliability.png" in plots and "support_line_confusion.png" in plots


def test_pipeline_exported_bundle_predicts_like_the_trained_model(loop: Loop) -> None:
    loaded = Triager.load(loop.exported)
    manifest = loaded.manifest
    assert manifest["registry"]["version"] == int(loop.first.model_version)
    assert loaded.version == f"triage-v{loop.first.model_version}"
    assert set(manifest["files"]) >= {"model.skops"}
    fresh = Triager(loop.first.result.model, manifest, HashingEmbedder(32))
    sample = loop.tickets[:20]
    assert [r.predictions for r in loaded.predict_many(sample)] == [
        r.predictions for r in fresh.predict_many(sample)
    ]


def test_pipeline_bundle_carries_retrieval_when_available(loop: Loop) -> None:
    loaded = Triager.load(loop.exported)
    assert loaded.manifest["retrieval"] == "included"
    assert loaded.retriever is not None
    result = loaded.predict(loop.tickets[0])
    assert result.evidence and result.evidence[0].of > 0


def test_pipeline_pyfunc_scores_a_dataframe(loop: Loop) -> None:
    import mlflow.pyfunc
    import pandas as pd

    model = mlflow.pyfunc.load_model(f"models:/triage@{CHAMPION}")
    frame = pd.DataFrame(
        [
            {
                "subject": "vpn router",
                "body": "wifi down for everyone",
                "channel": "email",
                "language": "en",
            }
        ]
    )
    out = model.predict(frame)
    assert out.loc[0, "category"] == "Network"
    assert out.loc[0, "category_action"] in {"auto", "suggest", "review"}


def test_pipeline_gate_refuses_worse_challenger_then_force_and_rollback(loop: Loop) -> None:
    worse = run_training(loop.config, shuffled_labels(loop.tickets), root=loop.root)
    refused = promote(loop.config, eval_data=loop.eval_file, root=loop.root)
    assert not refused["promoted"] and not refused["gate_passed"]
    assert any(r.startswith("category.") for r in refused["reasons"])
    # each drop is quoted with its paired interval on the same eval tickets
    accuracy = refused["comparison"]["category"]["accuracy"]
    low, high = accuracy["delta_interval"]
    assert low <= accuracy["delta"] <= high < 0  # shuffled labels: clearly worse, not noise
    drop = next(r for r in refused["reasons"] if r.startswith("category.accuracy drops"))
    assert f"95% interval of the change {low:+.4f} to {high:+.4f}" in drop
    assert refused["champion_after"] == int(loop.first.model_version)
    forced = promote(loop.config, eval_data=loop.eval_file, force=True, root=loop.root)
    assert forced["promoted"] and forced["forced"]
    client = registry(loop.config, loop.root)
    champion = client.get_model_version_by_alias("triage", CHAMPION)
    assert str(champion.version) == worse.model_version
    assert champion.tags["forced_promotion"] == "true"
    assert "forced_promotion" in client.get_run(worse.run_id).data.tags
    back = rollback(loop.config, root=loop.root)
    assert back["champion_after"] == str(loop.first.model_version)
    assert (
        str(client.get_model_version_by_alias("triage", CHAMPION).version)
        == loop.first.model_version
    )


def test_pipeline_gate_refuses_a_challenger_that_lost_categories(loop: Loop) -> None:
    """A challenger trained without two categories cannot predict them: its macro-F1 counts
    them as 0, so it drops and the gate refuses (averaged over its own classes, it rose), and
    the reported change lies inside its own paired interval."""
    counts: dict[str, int] = {}
    for t in loop.tickets:
        counts[str(t.category)] = counts.get(str(t.category), 0) + 1
    lost = sorted(counts, key=lambda c: (counts[c], c))[:2]
    kept = [t for t in loop.tickets if str(t.category) not in lost]
    run_training(loop.config, kept, root=loop.root)
    refused = promote(loop.config, eval_data=loop.eval_file, root=loop.root)
    assert not refused["promoted"], refused["comparison"]["category"]
    macro = refused["comparison"]["category"]["macro_f1"]
    low, high = macro["delta_interval"]
    assert low <= macro["delta"] <= high < 0
    assert any(r.startswith("category.macro_f1 drops") for r in refused["reasons"])
    assert refused["champion_after"] == int(loop.first.model_version)


def test_pipeline_cli_evaluate_writes_json_per_target(loop: Loop, tmp_path: Path) -> None:
    from training.cli import app

    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--model",
            str(loop.exported),
            "--data",
            str(loop.eval_file),
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    report = json.loads(out.read_text())
    for target in ("category", "priority", "support_line"):
        assert {"accuracy", "macro_f1", "coverage", "ece"} <= set(report[target])
        assert summary[target]["accuracy"] == report[target]["accuracy"]
        # the bundle's in-run baseline, scored on the same tickets, side by side
        base = summary["baselines"]["tfidf_lr"][target]
        assert 0 < base["accuracy"] <= 1 and 0 < base["macro_f1"] <= 1
        # the product's difference to it on the same tickets, with its interval
        diff = base["product_minus_baseline"]["accuracy"]
        shown = round(100 * (summary[target]["accuracy"] - base["accuracy"]), 2)
        assert abs(diff["points"] - shown) <= 0.011  # labels both models know: the same figures
        assert diff["interval"][0] <= diff["points"] <= diff["interval"][1]
        assert report["details"]["baselines"] == summary["baselines"]
    by_alias = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--model",
            "models:/triage@champion",
            "--data",
            str(loop.eval_file),
            "--tracking-uri",
            str(loop.config.tracking.tracking_uri),
            "--config",
            str(TINY),
            "--json",
        ],
    )
    assert by_alias.exit_code == 0, by_alias.output
    assert "accuracy" in json.loads(by_alias.stdout)["category"]


def test_pipeline_cli_export_and_bad_config_errors(loop: Loop, tmp_path: Path) -> None:
    from training.cli import app

    uri = loop.config.tracking.tracking_uri
    config = tmp_path / "c.yaml"
    config.write_text("embedder: hashing-32\n")
    result = CliRunner().invoke(
        app,
        [
            "export",
            "--config",
            str(config),
            "--tracking-uri",
            str(uri),
            "--out",
            str(tmp_path / "b"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["bundle_path"] == str(tmp_path / "b")
    config.write_text("embeder: x\n")
    bad = CliRunner().invoke(app, ["export", "--config", str(config), "--json"])
    assert bad.exit_code == 2
    assert "embeder" in bad.output


def test_pipeline_unreachable_tracking_server_is_a_clear_error(tmp_path: Path) -> None:
    config = tiny_config(tracking={"tracking_uri": "http://127.0.0.1:9"})
    with pytest.raises(TrackingError, match="unreachable"):
        run_training(config, make_tickets(60), root=tmp_path)


def test_pipeline_retrieval_index_built_without_embedding_features(tmp_path: Path) -> None:
    from training.train import build_bundle, train

    config = tiny_config(
        features={"embeddings": False},
        model={"neighbours": 0},
        policy={"min_support": 5, "familiarity_quantile": None},  # nothing needs vectors
        baselines=False,
    )
    tickets = make_tickets(120, seed=9)
    result = train(config, tickets)
    assert result.embedder == {}
    attach_retriever(result, tickets, [])
    assert result.retrieval_error is None
    assert result.embedder["name"] == "hashing-32"
    loaded = Triager.load(build_bundle(result, tmp_path / "b"))
    assert loaded.retriever is not None
    assert loaded.predict(tickets[0]).similar


class WrongDimEmbedder(HashingEmbedder):
    """A broken custom embedder: says 32 dimensions, returns 33 (a model folder that does not
    match its own config). The classifiers here use no embeddings, so only the index fails."""

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        vectors = super().encode(texts, batch_size)
        return np.hstack([vectors, np.zeros((len(texts), 1), dtype=np.float32)])


def test_pipeline_broken_index_is_reported_and_the_model_kept_and_exported(tmp_path: Path) -> None:
    config = tiny_config(
        features={"embeddings": False},
        baselines=False,
        tracking={"tracking_uri": f"sqlite:///{tmp_path}/mlruns/mlflow.db", "log_pyfunc": False},
    )
    tickets = make_tickets(120, seed=9)
    run = run_training(config, tickets, embedder=WrongDimEmbedder(32), root=tmp_path)
    assert run.retrieval.startswith("VectorIndexError: vectors have shape (")
    assert run.summary()["retrieval"] == run.retrieval
    assert read_manifest(run.bundle_path)["retrieval"] == run.retrieval
    tags = registry(config, tmp_path).get_run(run.run_id).data.tags
    assert tags["retrieval"] == run.retrieval
    # the model is served with the embedder it was trained with (its neighbours hold its vectors)
    loaded = Triager.load(run.bundle_path, embedder=WrongDimEmbedder(32))
    assert loaded.retriever is None and loaded.predict(tickets[0]).predictions
    # registered from the bundle folder (no pyfunc): still exported through the registry
    out = export(config, tmp_path / "out", version=run.model_version, root=tmp_path)
    assert Triager.load(Path(out["bundle_path"])).manifest["retrieval"] == run.retrieval


class FailingEmbedder(HashingEmbedder):
    """An embedder with a bug: not a data problem, so the run must stop, not hide it."""

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        raise RuntimeError("bug in the embedder")


def test_pipeline_index_bug_is_not_swallowed() -> None:
    from training.train import train

    # a model that needs no embeddings (no embedding features, no neighbour votes)
    config = tiny_config(features={"embeddings": False}, model={"neighbours": 0}, baselines=False)
    tickets = make_tickets(120, seed=9)
    result = train(config, tickets)
    result.embedder_object = FailingEmbedder(32)  # the embedder the index is built with
    with pytest.raises(RuntimeError, match="bug in the embedder"):
        attach_retriever(result, tickets, [], FailingEmbedder(32))


@pytest.mark.parametrize(
    ("uri", "parsed"),
    [
        ("models:/triage@challenger", ("triage", "challenger", None)),
        ("models:/triage/3", ("triage", None, "3")),
        ("models:/triage", ("triage", "champion", None)),
    ],
)
def test_pipeline_model_uri_names_an_alias_or_a_version(
    uri: str, parsed: tuple[str, str | None, str | None]
) -> None:
    assert parse_model_uri(uri) == parsed


def test_pipeline_cli_evaluate_refuses_a_file_without_labels(loop: Loop, tmp_path: Path) -> None:
    """Every metric was 0.0 of 0 tickets with exit 0 and no broken promise: a pass."""
    from training.cli import app
    from triage.dataset import read_tickets, write_tickets

    bare = [
        t.replace(category=None, priority=None, support_line=None)
        for t in read_tickets(loop.eval_file)
    ]
    data = write_tickets(bare, tmp_path / "unlabelled.parquet")
    result = CliRunner().invoke(
        app, ["evaluate", "--model", str(loop.exported), "--data", str(data)]
    )
    assert result.exit_code == 2, result.output
    assert "no ticket has a label for category, priority, support_line" in " ".join(
        result.output.split()
    )


def test_pipeline_cli_evaluate_by_version_and_unknown_alias(loop: Loop) -> None:
    from training.cli import app

    def evaluate(model: str) -> object:
        args = ["evaluate", "--model", model, "--data", str(loop.eval_file), "--json"]
        uri = str(loop.config.tracking.tracking_uri)
        return CliRunner().invoke(app, [*args, "--tracking-uri", uri, "--config", str(TINY)])

    by_version = evaluate(f"models:/triage/{loop.first.model_version}")
    assert by_version.exit_code == 0, by_version.output  # type: ignore[attr-defined]
    unknown = evaluate("models:/triage@nosuchalias")
    assert unknown.exit_code == 2 and "no @nosuchalias" in unknown.output  # type: ignore[attr-defined]


def test_pipeline_registry_records_the_manifest_hash_and_refuses_a_changed_bundle(
    loop: Loop, tmp_path: Path
) -> None:
    """The version's `manifest_sha256` tag is the registered bundle's; a manifest changed in
    the artifact store afterwards is refused when the bundle is fetched."""
    from urllib.parse import urlparse

    from training.tracking import MANIFEST_TAG, fetch_bundle
    from triage.bundle_files import manifest_sha256
    from triage.errors import BundleError

    client = registry(loop.config, root=loop.root)
    name, number = loop.first.model_name, loop.first.model_version
    version = client.get_model_version(name, number)
    assert version.tags[MANIFEST_TAG] == manifest_sha256(loop.first.bundle_path)
    artifacts = Path(urlparse(client.get_run(loop.first.run_id).info.artifact_uri).path)
    stored = artifacts / "bundle" / "manifest.json"
    original = stored.read_bytes()
    stored.write_bytes(original.replace(b'"schema_version"', b' "schema_version"', 1))
    try:
        with pytest.raises(BundleError, match="artifact store was changed"):
            fetch_bundle(client, name, tmp_path / "fetched", version=number)
    finally:
        stored.write_bytes(original)
    _, fetched = fetch_bundle(client, name, tmp_path / "again", version=number)
    assert manifest_sha256(fetched) == version.tags[MANIFEST_TAG]


def test_pipeline_retrain_on_the_same_rows_gives_the_same_bundle_predictions(
    loop: Loop, tmp_path: Path
) -> None:
    config = tiny_config(tracking={"tracking_uri": f"sqlite:///{tmp_path}/mlruns/mlflow.db"})
    again = run_training(config, loop.tickets, root=tmp_path)
    timings = again.result.timings
    assert timings["index_s"] > 0  # the index was built in this run (it is timed, not skipped)
    assert "side_work_s" in timings
    first, second = Triager.load(loop.first.bundle_path), Triager.load(again.bundle_path)
    sample = loop.tickets[:40]
    assert [r.predictions for r in first.predict_many(sample)] == [
        r.predictions for r in second.predict_many(sample)
    ]
    assert again.result.metrics["targets"] == loop.first.result.metrics["targets"]
