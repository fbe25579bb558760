"""Batch scoring: the columns both engines write, and the local engine (one process, chunks).

The Spark engine (`training.spark_scoring`) runs the same `score_frame` inside the MLflow pyfunc
on every partition, so both engines turn the same input row into the same output row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from triage import ingest
from triage.atomic import atomic_folder
from triage.errors import DataError
from triage.ingest.pipeline import MAX_LISTED
from triage.ingest.report import IngestReport
from triage.outputs import SCORES
from triage.prediction import TriageResult
from triage.schema import Channel, Ticket
from triage.triager import Triager

logger = logging.getLogger(__name__)

INPUT_COLUMNS = ("ticket_id", "subject", "body", "channel", "language")
"""What scoring reads of a ticket; `channel` and `language` may be absent or null."""
REQUIRED_COLUMNS = ("ticket_id", "subject", "body")
DEFAULT_K_SIMILAR = 5
CHUNK_ROWS = 256
"""Tickets per `predict_many` call: big enough for one dense search per chunk, small enough
that memory stays flat (a chunk of results is a few MB)."""
SUMMARY_FILE = "_triage.json"
"""The job's summary inside the output folder (Parquet readers skip `_` files)."""
SCORES_FILE = "part-00000.parquet"
IMPORT_REPORT_FILE = "_import_report.json"
"""With --mapping: the importer's report (counts, the first rejected rows with line and reason)."""

Progress = Callable[[int], None]


def output_schema(targets: Sequence[str]) -> pa.Schema:
    """The scores' columns: `ticket_id`, per target the label, `_confidence` (calibrated
    probability, 0-1) and `_action`, then `similar_ids` (up to k solved ticket ids, best first)."""
    fields = [pa.field("ticket_id", pa.string())]
    for target in targets:
        fields += [
            pa.field(target, pa.string()),
            pa.field(f"{target}_confidence", pa.float64()),
            pa.field(f"{target}_action", pa.string()),
        ]
    return pa.schema([*fields, pa.field("similar_ids", pa.list_(pa.string()))])


def id_report(rows: int, nulls: int, empty: int, distinct: int) -> dict[str, int]:
    """What an output's `ticket_id` column says about joining it back to the input, from its
    row count, nulls, empty ids and distinct non-null ids (the empty one included): rows with no
    id (null or empty) and rows whose id an earlier row already had. Both engines write every
    row they read, so such rows are scored but cannot be matched one to one."""
    present = rows - nulls - empty
    return {"missing": nulls + empty, "repeated": present - (distinct - (1 if empty else 0))}


def arrow_id_report(ids: pa.ChunkedArray) -> dict[str, int]:
    """`id_report` of an Arrow `ticket_id` column."""
    import pyarrow.compute as pc

    empty = int(pc.sum(pc.equal(ids, "")).as_py() or 0)
    distinct = int(pc.count_distinct(ids, mode="only_valid").as_py())
    return id_report(len(ids), ids.null_count, empty, distinct)


def _clean(value: Any) -> str | None:
    """A cell as text; None for null and NaN (pandas' null in object columns)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def frame_tickets(frame: pd.DataFrame) -> list[Ticket]:
    """Tickets from rows with `INPUT_COLUMNS` (`ticket_id`, `channel`, `language` optional;
    an unknown channel is treated as missing, as the service does)."""
    tickets = []
    for i, row in enumerate(frame.to_dict("records")):
        channel = _clean(row.get("channel"))
        tickets.append(
            Ticket(
                ticket_id=_clean(row.get("ticket_id")) or f"row-{i}",
                subject=_clean(row.get("subject")) or "",
                body=_clean(row.get("body")) or "",
                channel=Channel(channel)
                if channel is not None and channel in Channel._value2member_map_
                else None,
                language=_clean(row.get("language")) or None,
            )
        )
    return tickets


def _similar_ids(ticket: Ticket, result: TriageResult, k: int) -> list[str]:
    """The best `k` similar solved tickets other than the ticket itself (a historical export
    scored against an index that holds it would otherwise find itself first)."""
    return [s.ticket_id for s in result.similar if s.ticket_id != ticket.ticket_id][:k]


def score_tickets(
    triager: Triager,
    tickets: Sequence[Ticket],
    k_similar: int,
    vectors: NDArray[np.float32] | None = None,
) -> pd.DataFrame:
    """One row per ticket with the `output_schema` columns except `ticket_id` (`vectors`: the
    triager's `embed` of the tickets' texts, when made already)."""
    k = k_similar + 1 if k_similar else 0
    results = triager.predict_many(tickets, k_similar=k, k_kb=0, vectors=vectors)
    rows = []
    for ticket, result in zip(tickets, results, strict=True):
        row: dict[str, Any] = {}
        for target, p in result.predictions.items():
            row[target] = p.label
            row[f"{target}_confidence"] = p.confidence
            row[f"{target}_action"] = p.action.value
        row["similar_ids"] = _similar_ids(ticket, result, k_similar)
        rows.append(row)
    return pd.DataFrame(rows)


def score_frame(triager: Triager, frame: pd.DataFrame, k_similar: int) -> pd.DataFrame:
    """`score_tickets` on a DataFrame of `INPUT_COLUMNS` (what the pyfunc runs per batch)."""
    return score_tickets(triager, frame_tickets(frame), k_similar)


# --- reading the input ------------------------------------------------------------------------


def is_uri(location: str) -> bool:
    """A URI Spark reads and writes itself (`hdfs://`, `s3a://`, `file://`), not a local path:
    what a cluster's executors need, since a driver-local path is not on their disks."""
    return "://" in location


def parquet_files(data: Path) -> list[Path]:
    """The Parquet files of a file or a folder (a Spark-style dataset of part files)."""
    if data.is_dir():
        files = sorted(p for p in data.rglob("*.parquet") if not p.name.startswith(("_", ".")))
        if not files:
            raise DataError(f"{data}: no .parquet file in this folder; give a Parquet file")
        return files
    if not data.is_file():
        raise DataError(f"{data}: no such file or folder")
    return [data]


def open_parquet(path: Path) -> pq.ParquetFile:
    """A readable Parquet file with at least `REQUIRED_COLUMNS`, else a `DataError`."""
    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(
            f"{path}: not a readable Parquet file ({exc}); for a CSV or JSON export give "
            "--mapping, or import it first with `triage data import`"
        ) from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in file.schema_arrow.names]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {missing}; scoring needs {list(REQUIRED_COLUMNS)} "
            "(a normalised dataset from `triage data import`, or give --mapping)"
        )
    _check_types(path, file.schema_arrow)
    return file


def _check_types(path: Path, schema: pa.Schema) -> None:
    """Text columns must hold text; `ticket_id` text or whole numbers (written back exactly, as
    text). A float id, a boolean subject or a nested body would otherwise be scored as its
    Python `str()` ("1.5", "True", "{'x': 1}"), and an integer id with a null became a float
    in pandas (12345678901234567 -> 1.2345678901234568e+16: two tickets, one id)."""
    for name in (c for c in INPUT_COLUMNS if c in schema.names):
        kind = schema.field(name).type
        text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
        whole = name == "ticket_id" and pa.types.is_integer(kind)
        if not (text or whole or pa.types.is_null(kind)):
            allowed = "text or whole numbers" if name == "ticket_id" else "text"
            raise DataError(
                f"{path}: column {name} has type {kind}; scoring reads {allowed} there "
                "(convert it, or import the export with `triage data import`)"
            )


def _parquet_frames(files: Sequence[pq.ParquetFile], chunk: int) -> Iterator[pd.DataFrame]:
    """Chunks of the input columns, every one as text (`None` for null): integer ids are cast
    in Arrow, digit for digit, never through pandas' float64."""
    for file in files:
        columns = [c for c in INPUT_COLUMNS if c in file.schema_arrow.names]
        for batch in file.iter_batches(batch_size=chunk, columns=columns):
            arrays = [batch.column(c).cast(pa.string()) for c in columns]
            yield pa.Table.from_arrays(arrays, names=columns).to_pandas()


def _ticket_frames(tickets: Iterator[Ticket], chunk: int) -> Iterator[pd.DataFrame]:
    rows: list[dict[str, Any]] = []
    for ticket in tickets:
        channel = ticket.channel.value if ticket.channel else None
        rows.append(
            {
                "ticket_id": ticket.ticket_id,
                "subject": ticket.subject,
                "body": ticket.body,
                "channel": channel,
                "language": ticket.language,
            }
        )
        if len(rows) >= chunk:
            yield pd.DataFrame(rows)
            rows = []
    if rows:
        yield pd.DataFrame(rows)


@dataclass
class ScoreInput:
    """The rows to score as a stream of DataFrames (`INPUT_COLUMNS`), with what is known of
    them up front: the row count (None for a mapped export) and the import report."""

    frames: Iterator[pd.DataFrame]
    total: int | None
    report: IngestReport | None = None


def open_input(data: Path, mapping: str | None, chunk: int = CHUNK_ROWS) -> ScoreInput:
    """Parquet (a file or a folder of part files, checked before the first row) or, with
    `mapping`, any export through the importer (rejected rows end up in the import report)."""
    if mapping is None:
        files = [open_parquet(p) for p in parquet_files(data)]
        total = sum(f.metadata.num_rows for f in files)
        return ScoreInput(_parquet_frames(files, chunk), total)
    if not data.is_file():
        raise DataError(f"{data}: no such file")
    loaded = ingest.load_mapping(mapping)
    report = IngestReport(source=str(data), mapping=loaded.name, max_listed=MAX_LISTED)
    outcomes = ingest.iter_outcomes(data, loaded, report)
    tickets = (o.ticket for o in outcomes if o.ticket is not None)
    return ScoreInput(_ticket_frames(tickets, chunk), None, report)


# --- the local engine -------------------------------------------------------------------------


def write_summary(folder: Path, summary: dict[str, Any]) -> None:
    """The job's summary as `_triage.json` in the output folder."""
    (folder / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, default=str) + "\n")


def read_summary(folder: Path) -> dict[str, Any]:
    """The `_triage.json` of a scores or vectors folder; `DataError` when there is none."""
    path = Path(folder) / SUMMARY_FILE
    if not path.is_file():
        raise DataError(f"{folder}: no {SUMMARY_FILE}; write it with `triage score`")
    try:
        summary: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: unreadable ({exc}); run `triage score` again") from exc
    return summary


def score_local(
    triager: Triager,
    source: ScoreInput,
    out: Path,
    *,
    k_similar: int = DEFAULT_K_SIMILAR,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Score every row of `source` with `triager` in one process into `out/part-00000.parquet`
    (written atomically: `out` appears whole or not at all); returns the counts."""
    schema = output_schema(triager.targets)
    rows = 0
    with atomic_folder(out, kind=SCORES) as work, ThreadPoolExecutor(1, "embed-ahead") as ahead:
        with pq.ParquetWriter(work / SCORES_FILE, schema, compression="zstd") as writer:
            for frame, tickets, vectors in _embedded_ahead(triager, source.frames, ahead):
                scores = score_tickets(triager, tickets, k_similar, vectors)
                scores.insert(0, "ticket_id", [_clean(v) for v in frame["ticket_id"]])
                writer.write_table(pa.Table.from_pandas(scores, schema, preserve_index=False))
                rows += len(frame)
                if progress is not None:
                    progress(len(frame))
        summary = _summary(triager, rows, k_similar, source.report)
        ids = pq.read_table(work / SCORES_FILE, columns=["ticket_id"]).column("ticket_id")
        summary["ids"] = arrow_id_report(ids)
        write_summary(work, summary)
        if source.report is not None:
            (work / IMPORT_REPORT_FILE).write_text(
                json.dumps(source.report.to_dict(), indent=2, default=str) + "\n"
            )
    logger.info("scored %d tickets into %s", rows, out)
    return summary


Prepared = tuple[pd.DataFrame, list[Ticket], NDArray[np.float32] | None]


def _embedded_ahead(
    triager: Triager, frames: Iterator[pd.DataFrame], pool: Executor
) -> Iterator[Prepared]:
    """Each non-empty frame with its tickets and their vectors, in order; the next frame is
    embedded on `pool` while the caller scores this one (the embedding and the rest of the
    triage then share the two cores instead of taking turns). An error embedding a frame is
    raised when that frame is reached."""

    def prepare(frame: pd.DataFrame) -> Prepared:
        tickets = frame_tickets(frame)
        return frame, tickets, triager.embed([t.text for t in tickets])

    pending: Future[Prepared] | None = None
    for frame in frames:
        if frame.empty:
            continue
        job = pool.submit(prepare, frame)
        if pending is not None:
            yield pending.result()
        pending = job
    if pending is not None:
        yield pending.result()


def _summary(
    triager: Triager, rows: int, k_similar: int, report: IngestReport | None
) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "kind": "scores",
        "engine": "local",
        "rows": rows,
        "model_version": triager.version,
        "targets": list(triager.targets),
        "k_similar": k_similar if triager.retriever is not None else 0,
    }
    if report is not None:
        summary["import"] = {"read": report.read, "rejected": report.rejected}
    return summary
