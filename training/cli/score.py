"""`triage score` (batch scoring and embedding, local or Spark) and `triage index backfill`.

MLflow, scikit-learn and PySpark are imported inside the commands (seconds at start-up, and
PySpark is an optional extra).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from training.backfill import add_to_index, build_index, embed_local, embedder_stamp, read_vectors
from training.cli.apps import app, index_app
from training.cli.common import (
    JsonOption,
    emit,
    fail,
    handle_errors,
    load_tickets,
    local_paths,
    progress_bar,
    redacted,
    stderr,
)
from training.cli.model import ConfigOption, UriOption, _bundle_path, _config
from training.scoring import DEFAULT_K_SIMILAR, is_uri, open_input, score_local
from triage.embeddings import load_embedder
from triage.kb import read_kb
from triage.outputs import RETRIEVER, SCORES, check_folder_out
from triage.triager import Triager

DEFAULT_MODEL = "models:/triage@champion"
ENGINES = ("local", "spark")
MappingOption = typer.Option(
    None, "--mapping", "-m", help="Mapping preset or YAML for a raw export (local engine)."
)


@app.command()
@handle_errors
def score(
    data: str = typer.Option(
        ...,
        "--data",
        "-d",
        help="Tickets: Parquet file or folder of part files, an export with --mapping, or "
        "(Spark) a URI such as hdfs://... or s3a://...",
    ),
    out: str = typer.Option(
        ..., "--out", "-o", help="Folder (or, Spark scores, a URI) to write Parquet to."
    ),
    engine: str = typer.Option("local", "--engine", help="local (one process) or spark."),
    model: str | None = typer.Option(
        None, "--model", help=f"Registered model URI (default {DEFAULT_MODEL})."
    ),
    bundle: Path | None = typer.Option(None, "--bundle", help="A bundle folder instead."),
    mapping: str | None = MappingOption,
    k_similar: int = typer.Option(
        DEFAULT_K_SIMILAR, "--k-similar", min=0, help="Similar solved ticket ids per ticket."
    ),
    embed_only: bool = typer.Option(
        False, "--embed-only", help="Write vectors for `triage index backfill` instead."
    ),
    embedder: str | None = typer.Option(
        None, "--embedder", "-e", help="With --embed-only: embedder spec (default minilm)."
    ),
    master: str | None = typer.Option(
        None, "--master", help="Spark master URL (default $TRIAGE_SPARK_MASTER or local[2])."
    ),
    embed_threads: int = typer.Option(
        0,
        "--embed-threads",
        min=0,
        help="Local engine: onnxruntime threads of the embedder, which embeds the next chunk "
        "beside the scoring of this one (0 = onnxruntime's default, one per core).",
    ),
    config: Path = ConfigOption,
    tracking_uri: str | None = UriOption,
    as_json: bool = JsonOption,
) -> None:
    """Score a whole export: three predictions with confidences and actions, similar ids."""
    _quiet_libraries()
    if engine not in ENGINES:
        raise fail(f"--engine {engine!r}: choose local or spark")
    if model is not None and bundle is not None:
        raise fail("give --model or --bundle, not both")
    if engine == "spark" and mapping is not None:
        raise fail(
            "the Spark engine reads Parquet: import the export first "
            "(`triage data import FILE --mapping M --out DIR`) and score DIR/tickets.parquet"
        )
    if engine == "local" and is_uri(data + out):
        raise fail("URIs (hdfs://, s3a://, ...) need --engine spark; the local engine takes paths")
    if not is_uri(out):  # before the model is loaded or a row is read
        inputs = {"--data": data, "--bundle": bundle, "--model": model}
        check_folder_out(Path(out), SCORES, local_paths(inputs))
    if embed_only:
        if is_uri(out):
            raise fail("--embed-only writes a folder `triage index backfill` reads: give a path")
        summary = _embed(data, Path(out), engine, mapping, embedder, master, as_json)
    elif engine == "local":
        summary = _score_local(
            Path(data),
            Path(out),
            model,
            bundle,
            mapping,
            k_similar,
            embed_threads,
            config,
            tracking_uri,
            as_json,
        )
    else:
        summary = _score_spark(data, out, model, bundle, k_similar, master, config, tracking_uri)
    _say_ids(summary.get("ids") or {})
    emit({"out": str(out), **summary}, as_json)


def _say_ids(ids: dict[str, int]) -> None:
    """A warning on stderr when scored rows cannot be joined back to the input one to one."""
    parts = []
    if ids.get("missing"):
        parts.append(f"{ids['missing']:,} rows have no ticket_id (null or empty)")
    if ids.get("repeated"):
        parts.append(f"{ids['repeated']:,} rows repeat a ticket_id an earlier row has")
    if parts:
        note = "; ".join(parts)
        stderr().print(
            f"warning: {note}: they are scored, but cannot be joined back one to one",
            highlight=False,
            markup=False,
        )


def _quiet_libraries() -> None:
    """No per-file download bars or known warnings on stderr (env_manager="local" is the
    point of the Spark engine; PySpark 4.3 warns about pandas 3, which the tests cover)."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")  # read when mlflow is imported
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")


def _score_local(
    data: Path,
    out: Path,
    model: str | None,
    bundle: Path | None,
    mapping: str | None,
    k_similar: int,
    embed_threads: int,
    config: Path,
    tracking_uri: str | None,
    as_json: bool,
) -> dict[str, Any]:
    from triage.onnx_embedder import cap_threads

    source = open_input(data, mapping)  # a bad input fails before the model is fetched
    with tempfile.TemporaryDirectory() as tmp:
        folder = bundle or _bundle_path(model or DEFAULT_MODEL, Path(tmp), config, tracking_uri)
        triager = Triager.load(folder)
        cap_threads(triager.embedder, embed_threads)
        with progress_bar("scoring", total=source.total, enabled=not as_json) as advance:
            return score_local(triager, source, out, k_similar=k_similar, progress=advance)


@contextmanager
def _pyfunc_uri(
    model: str | None, bundle: Path | None, config: Path, tracking_uri: str | None
) -> Iterator[str]:
    """A model URI Spark can load: the registered one, or a bundle saved as a pyfunc folder."""
    if bundle is None:
        from training.tracking import registry

        registry(_config(config, tracking_uri))  # sets the registry URI `models:/` resolves on
        yield model or DEFAULT_MODEL
        return
    from training.pyfunc import save_pyfunc

    with tempfile.TemporaryDirectory() as tmp:
        yield str(save_pyfunc(bundle, Path(tmp) / "pyfunc"))


def _score_spark(
    data: str,
    out: str,
    model: str | None,
    bundle: Path | None,
    k_similar: int,
    master: str | None,
    config: Path,
    tracking_uri: str | None,
) -> dict[str, Any]:
    from training.spark_scoring import default_master, score_spark, spark_session

    with (
        _pyfunc_uri(model, bundle, config, tracking_uri) as uri,
        spark_session(master or default_master()) as spark,
    ):
        return score_spark(spark, uri, data, out, k_similar)


def _embed(
    data: str,
    out: Path,
    engine: str,
    mapping: str | None,
    spec: str | None,
    master: str | None,
    as_json: bool,
) -> dict[str, Any]:
    model = load_embedder(spec)
    if engine == "spark":
        from training.spark_scoring import default_master, embed_spark, spark_session

        with spark_session(master or default_master()) as spark:
            return embed_spark(spark, data, out, spec or "minilm", embedder_stamp(model))
    source = open_input(Path(data), mapping)
    with progress_bar("embedding", total=source.total, enabled=not as_json) as advance:
        return embed_local(model, source, out, progress=advance)


@index_app.command("backfill")
@handle_errors
def backfill(
    vectors: Path = typer.Option(
        ..., "--vectors", help="A folder from `triage score --embed-only`."
    ),
    data: Path = typer.Option(
        ..., "--data", "-d", help="The same tickets: normalised Parquet, or an export."
    ),
    mapping: str | None = typer.Option(None, "--mapping", "-m", help="Mapping for an export."),
    index: Path | None = typer.Option(None, "--index", "-i", help="Add to this index."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Or build a new index here."),
    kb: Path | None = typer.Option(None, "--kb", help="KB articles for a new index."),
    as_json: bool = JsonOption,
) -> None:
    """Index solved tickets from precomputed vectors (stamped: another embedder is refused)."""
    if (index is None) == (out is None):
        raise fail("give --index EXISTING (add) or --out NEW (build), one of them")
    if out is not None:
        check_folder_out(out, RETRIEVER, {"--vectors": vectors, "--data": data, "--kb": kb})
    vector_set = read_vectors(vectors)
    tickets = redacted(load_tickets(data, mapping))  # the index keeps no personal data
    if index is not None:
        if kb is not None:
            raise fail("--kb goes with --out; add articles to an index with `triage kb import`")
        retriever, added = add_to_index(tickets, vector_set, index)
        summary = {"index": str(index), "added": added, **retriever.stats()}
    else:
        assert out is not None
        retriever = build_index(tickets, vector_set, out, read_kb(kb) if kb else [])
        summary = {"out": str(out), **retriever.stats()}
    emit(summary, as_json)
