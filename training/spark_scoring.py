"""The Spark engine of `triage score`: the registered pyfunc as a Spark UDF over Parquet.

Offline by construction: a local (or configured) master, no packages fetched (no Ivy/Maven
coordinates), no UI, the driver bound to 127.0.0.1 unless `SPARK_LOCAL_IP` says otherwise. A
cluster replaces `local[2]` by its master URL (`--master` or `TRIAGE_SPARK_MASTER`); nothing else
changes. PySpark is the optional extra `spark` and is imported only here, inside functions.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from training.scoring import (
    CHUNK_ROWS,
    INPUT_COLUMNS,
    REQUIRED_COLUMNS,
    id_report,
    is_uri,
    open_parquet,
    parquet_files,
    write_summary,
)
from triage.atomic import atomic_folder
from triage.errors import ConfigError, DataError
from triage.outputs import SCORES

logger = logging.getLogger(__name__)

DEFAULT_MASTER = "local[2]"
MASTER_ENV = "TRIAGE_SPARK_MASTER"


def default_master() -> str:
    """`TRIAGE_SPARK_MASTER`, else `local[2]`."""
    return os.environ.get(MASTER_ENV) or DEFAULT_MASTER


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the Spark engine needs PySpark: pip install -e '.[spark]' (and Java 17+), "
            "or use --engine local"
        ) from None


@contextmanager
def spark_session(master: str) -> Iterator[Any]:
    """A Spark session for scoring, stopped on exit.

    Workers run this interpreter (`PYSPARK_PYTHON`): the system Python has no pandas or triage.
    """
    _require_pyspark()
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.master(master)
        .appName("triage-score")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", os.environ["SPARK_LOCAL_IP"])
        .config("spark.driver.bindAddress", os.environ["SPARK_LOCAL_IP"])
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # Arrow batches of the size the local engine scores at: one dense search per batch.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(CHUNK_ROWS))
        .config("spark.sql.session.timeZone", "UTC")
    )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start: a process edge, said plainly
        raise ConfigError(
            f"Spark could not start on {master!r} ({type(exc).__name__}: {exc}); "
            "check that Java 17+ is installed (java -version), or use --engine local"
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()


def _read(spark: Any, data: str) -> Any:
    """The input as a Spark DataFrame of the `INPUT_COLUMNS` it has. A local path is checked
    with pyarrow first, so a bad file is a `DataError` rather than a JVM stack trace."""
    from pyspark.errors import AnalysisException

    if not is_uri(data):
        files = parquet_files(Path(data))
        for path in files:
            open_parquet(path)
    try:
        frame = spark.read.parquet(data) if is_uri(data) else spark.read.parquet(*map(str, files))
    except AnalysisException as exc:
        raise DataError(f"{data}: Spark cannot read it as Parquet ({exc.getMessage()})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"{data}: missing column(s) {missing}; scoring needs {list(REQUIRED_COLUMNS)}"
        )
    columns = [c for c in INPUT_COLUMNS if c in frame.columns]
    return _spread(spark, frame.select(*[frame[c].cast("string").alias(c) for c in columns]))


def _spread(spark: Any, frame: Any) -> Any:
    """The rows dealt round-robin over at least one partition per core. Counting partitions is
    not enough: Spark splits a file by bytes, but a Parquet row group is read whole by the split
    that holds its start, so a file of one row group (what pyarrow and `triage data generate`
    write up to a million rows) came as two partitions of which one was empty, and `local[2]`
    scored every row on one Python worker (a 250k-ticket run, 2026-12-02). The shuffle costs
    little next to scoring the rows."""
    cores = int(spark.sparkContext.defaultParallelism)
    return frame.repartition(max(cores, frame.rdd.getNumPartitions()))


def _write(spark: Any, frame: Any, out: str, summary: dict[str, Any]) -> dict[str, Any]:
    """Write `frame` as Parquet to `out` and count what was written. A local folder is written
    atomically with `_triage.json`; a URI through Spark's own commit (`_SUCCESS` marks a
    complete output; an existing one is refused, never overwritten)."""
    if is_uri(out):
        frame.write.mode("errorifexists").parquet(out)
        return {**summary, **_counts(spark, out)}
    with atomic_folder(Path(out), kind=SCORES) as work:
        frame.write.mode("overwrite").parquet(str(work))
        summary = {**summary, **_counts(spark, str(work))}
        write_summary(work, summary)
    return summary


def _counts(spark: Any, written: str) -> dict[str, Any]:
    """The written rows and `id_report` of their ids, counted by Spark in one pass."""
    from pyspark.sql import functions as F

    ids = F.col("ticket_id")
    row = (
        spark.read.parquet(written)
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.count(ids).alias("present"),
            F.sum(F.when(ids == "", 1).otherwise(0)).alias("empty"),
            F.countDistinct(ids).alias("distinct"),
        )
        .first()
    )
    rows, empty = int(row["rows"]), int(row["empty"] or 0)
    nulls = rows - int(row["present"])
    return {"rows": rows, "ids": id_report(rows, nulls, empty, int(row["distinct"]))}


def result_type(model_uri: str) -> Any:
    """The UDF's struct type, from the model's output signature: every output column (a
    `"string"` result type would keep only the first)."""
    from mlflow.models import get_model_info

    signature = get_model_info(model_uri).signature
    if signature is None or signature.outputs is None:
        raise ConfigError(f"{model_uri} has no output signature; retrain it with `triage train`")
    from pyspark.sql.types import StructField, StructType

    return StructType(
        [StructField(str(c.name), _spark_type(c.type)) for c in signature.outputs.inputs]
    )


def _spark_type(mlflow_type: Any) -> Any:
    """A Spark type for an MLflow column type (`Schema.as_spark_schema` has no arrays)."""
    from mlflow.types.schema import Array
    from pyspark.sql.types import ArrayType

    if isinstance(mlflow_type, Array):
        return ArrayType(_spark_type(mlflow_type.dtype))
    return mlflow_type.to_spark()


def score_spark(spark: Any, model_uri: str, data: str, out: str, k_similar: int) -> dict[str, Any]:
    """Score `data` (a Parquet file, folder or URI) with the pyfunc at `model_uri` into Parquet
    part files in `out` (`_write`); returns the counts."""
    import mlflow.pyfunc
    from pyspark.sql import functions as F

    frame = _read(spark, data)
    struct = result_type(model_uri)
    udf = mlflow.pyfunc.spark_udf(
        spark,
        model_uri,
        result_type=struct,
        env_manager="local",
        params={"k_similar": k_similar},
    )
    inputs = [c for c in frame.columns if c in INPUT_COLUMNS]
    scored = frame.select(
        "ticket_id", udf(F.struct(*[frame[c] for c in inputs])).alias("triage")
    ).select("ticket_id", *[f"triage.{name}" for name in struct.fieldNames()])
    summary = {
        "kind": "scores",
        "engine": "spark",
        "master": spark.sparkContext.master,
        "model_uri": model_uri,
        "k_similar": k_similar,
    }
    return _write(spark, scored, out, summary)


def _embed_partitions(spec: str) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """A `mapInPandas` function: each worker loads the embedder once and embeds its batches."""

    def embed(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from training.backfill import embed_frame
        from triage.embeddings import load_embedder

        embedder = load_embedder(spec)
        for frame in frames:
            yield embed_frame(embedder, frame)

    return embed


def embed_spark(
    spark: Any, data: str, out: Path, spec: str, stamp: dict[str, Any]
) -> dict[str, Any]:
    """Vectors for every row of `data` into the folder `out` (`ticket_id`, `vector`), stamped
    like the local engine's (`training.backfill`) for `triage index backfill`."""
    frame = _read(spark, data)
    vectors = frame.mapInPandas(_embed_partitions(spec), "ticket_id string, vector array<float>")
    summary = {"kind": "vectors", "engine": "spark", "embedder": stamp}
    return _write(spark, vectors, str(out), summary)
