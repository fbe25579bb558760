"""`triage score --engine spark` against the local engine on a registered model (real MLflow,
real Spark on local[2]); skipped with a message where Java or PySpark is missing."""

from __future__ import annotations

import importlib.util
import json
import random
import shutil
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import Result
from tiny_data import make_tickets, tiny_config
from typer.testing import CliRunner

from training.cli import app
from training.pipeline import run_training
from training.promote import promote
from triage.dataset import write_tickets
from triage.embeddings import HashingEmbedder
from triage.retrieval.retriever import Retriever

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("java") is None, reason="no Java on PATH: Spark needs Java 17+"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None,
        reason="pyspark not installed: pip install -e '.[spark]'",
    ),
]

TARGETS = ("category", "priority", "support_line")


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A tiny model trained, registered and promoted in a real MLflow store; 300 new tickets."""
    root = tmp_path_factory.mktemp("spark-score")
    uri = f"sqlite:///{root}/mlruns/mlflow.db"
    config = tiny_config(baselines=False, tracking={"tracking_uri": uri})
    run_training(config, make_tickets(240, seed=0), root=root)
    promote(config, root=root)
    fresh = [t.replace(ticket_id=f"N{i:04d}") for i, t in enumerate(make_tickets(280, seed=3))]
    history = make_tickets(240, seed=0)[:20]  # indexed already: never their own neighbour
    bare = [t.replace(channel=None, language=None) for t in fresh[:10]]  # nulls both engines
    tickets = bare + fresh[10:] + history
    return uri, write_tickets(tickets, root / "tickets.parquet")


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_score_spark_matches_the_local_engine(registered: tuple[str, Path], tmp_path: Path) -> None:
    uri, data = registered
    model = ("--model", "models:/triage@champion", "--tracking-uri", uri)
    local = json.loads(
        run("score", *model, "--data", str(data), "--out", str(tmp_path / "local")).stdout
    )
    # URIs, as on a cluster (hdfs://, s3a://): Spark reads and commits them itself
    on_spark = (
        "--engine",
        "spark",
        "--data",
        data.as_uri(),
        "--out",
        (tmp_path / "spark").as_uri(),
    )
    spark = json.loads(run("score", *model, *on_spark).stdout)
    assert (tmp_path / "spark" / "_SUCCESS").is_file()
    assert local["rows"] == spark["rows"] == 300 and spark["master"] == "local[2]"
    assert local["ids"] == spark["ids"] == {"missing": 0, "repeated": 0}
    a = pd.read_parquet(tmp_path / "local").sort_values("ticket_id").reset_index(drop=True)
    b = pd.read_parquet(tmp_path / "spark").sort_values("ticket_id").reset_index(drop=True)
    assert a.columns.tolist() == b.columns.tolist()
    assert a["ticket_id"].tolist() == b["ticket_id"].tolist()
    for target in TARGETS:
        assert a[target].tolist() == b[target].tolist()
        assert a[f"{target}_action"].tolist() == b[f"{target}_action"].tolist()
        np.testing.assert_allclose(a[f"{target}_confidence"], b[f"{target}_confidence"], atol=1e-9)
    assert [list(x) for x in a["similar_ids"]] == [list(x) for x in b["similar_ids"]]
    assert sum(len(x) for x in b["similar_ids"]) > 0


def test_score_spark_embed_only_backfills_an_index(
    registered: tuple[str, Path], tmp_path: Path
) -> None:
    _, data = registered
    common = ("score", "--embed-only", "--embedder", "hashing-32", "--data", str(data))
    run(*common, "--out", str(tmp_path / "local"))
    spark = json.loads(run(*common, "--engine", "spark", "--out", str(tmp_path / "v")).stdout)
    assert spark["embedder"] == {"name": "hashing-32", "dim": 32} and spark["rows"] == 300
    a = pd.read_parquet(tmp_path / "local").sort_values("ticket_id")
    b = pd.read_parquet(tmp_path / "v").sort_values("ticket_id")
    assert a["ticket_id"].tolist() == b["ticket_id"].tolist()
    np.testing.assert_allclose(np.vstack(a["vector"]), np.vstack(b["vector"]), atol=1e-6)
    out = tmp_path / "index"
    run(
        "index",
        "backfill",
        "--vectors",
        str(tmp_path / "v"),
        "--data",
        str(data),
        "--out",
        str(out),
    )
    assert len(Retriever.load(out, HashingEmbedder(32)).tickets) == 300  # all solved


def test_score_spark_spreads_a_one_row_group_file_over_every_core(tmp_path: Path) -> None:
    """pyarrow writes a small file as one row group; Spark's byte splits then gave one
    partition every row and the other none, and one Python worker scored them all."""
    import pyarrow.parquet as pq

    from training.spark_scoring import _read, spark_session

    noise = random.Random(5)  # incompressible text: the file must pass Spark's 4 MB split
    tickets = [
        t.replace(body="".join(noise.choices(string.ascii_lowercase + " ", k=3000)))
        for t in make_tickets(3000, seed=5)
    ]
    data = write_tickets(tickets, tmp_path / "one-group.parquet")
    assert pq.ParquetFile(data).metadata.num_row_groups == 1
    assert data.stat().st_size > 5_000_000
    with spark_session("local[2]") as spark:
        sizes = _read(spark, str(data)).rdd.glom().map(len).collect()
    assert sum(sizes) == 3000 and len(sizes) >= 2
    assert min(sizes) >= 3000 // len(sizes) - 1, sizes  # dealt evenly, none empty


def test_score_spark_counts_ids_that_cannot_be_joined_back(tmp_path: Path) -> None:
    """The Spark engine's id counts agree with the local engine's on null, empty and repeats."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from training.scoring import arrow_id_report
    from training.spark_scoring import _counts, spark_session

    ids = pa.chunked_array([pa.array(["a", "a", None, "", "b", "a", ""])])
    pq.write_table(pa.table({"ticket_id": ids}), tmp_path / "ids.parquet")
    with spark_session("local[2]") as spark:
        counts = _counts(spark, str(tmp_path / "ids.parquet"))
    assert counts == {"rows": 7, "ids": {"missing": 3, "repeated": 2}}
    assert arrow_id_report(ids) == counts["ids"]
