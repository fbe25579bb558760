"""Backfill: embed a historical export once (one process or Spark), then index those vectors.

A vectors folder holds Parquet (`ticket_id`, `vector`) and `_triage.json` stamped with the
embedder's name and dimension; indexing refuses vectors of another embedder than the index's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from training.scoring import (
    SCORES_FILE,
    Progress,
    ScoreInput,
    frame_tickets,
    parquet_files,
    read_summary,
    write_summary,
)
from triage.atomic import atomic_folder
from triage.embeddings import Embedder, load_embedder, spec_for_name
from triage.errors import DataError, VectorIndexError
from triage.outputs import SCORES
from triage.retrieval.retriever import Retriever, is_indexable, saved_embedder_spec
from triage.schema import KBArticle, Ticket

logger = logging.getLogger(__name__)

VECTORS_SCHEMA = pa.schema([("ticket_id", pa.string()), ("vector", pa.list_(pa.float32()))])
EMBED_BATCH = 32
"""Texts per encode call, as `triage index build` embeds (ONNX int8 vectors shift slightly with
their batch-mates, cosine >= 0.99: BENCHMARKS.md, Embedders)."""


def embedder_stamp(embedder: Embedder) -> dict[str, Any]:
    """What a vectors folder is stamped with: the embedder's name and dimension."""
    return {"name": embedder.name, "dim": embedder.dim}


def embed_frame(embedder: Embedder, frame: pd.DataFrame) -> pd.DataFrame:
    """`ticket_id` and the vector of each row's text (subject and body, as the index embeds)."""
    tickets = frame_tickets(frame)
    vectors = embedder.encode([t.text for t in tickets], batch_size=EMBED_BATCH)
    ids = [None if v is None or v != v else str(v) for v in frame["ticket_id"]]
    return pd.DataFrame({"ticket_id": ids, "vector": list(vectors)})


def embed_local(
    embedder: Embedder, source: ScoreInput, out: Path, progress: Progress | None = None
) -> dict[str, Any]:
    """Vectors for every row of `source` into `out` (atomically); returns the counts."""
    rows = 0
    with atomic_folder(out, kind=SCORES) as work:
        with pq.ParquetWriter(work / SCORES_FILE, VECTORS_SCHEMA, compression="zstd") as writer:
            for frame in source.frames:
                if frame.empty:
                    continue
                vectors = embed_frame(embedder, frame)
                writer.write_table(pa.Table.from_pandas(vectors, VECTORS_SCHEMA, False))
                rows += len(frame)
                if progress is not None:
                    progress(len(frame))
        summary = {
            "kind": "vectors",
            "engine": "local",
            "rows": rows,
            "embedder": embedder_stamp(embedder),
        }
        write_summary(work, summary)
    return summary


@dataclass(frozen=True)
class VectorSet:
    """Vectors read back from a vectors folder: ids, an (n, dim) float32 matrix, the stamp."""

    folder: Path
    stamp: dict[str, Any]
    ids: list[str]
    matrix: NDArray[np.float32]

    def check(self, embedder: Embedder) -> None:
        """`VectorIndexError` unless these vectors come from `embedder` (name and dimension)."""
        if (self.stamp.get("name"), self.stamp.get("dim")) != (embedder.name, embedder.dim):
            raise VectorIndexError(
                f"{self.folder}: vectors made by {self.stamp.get('name')} "
                f"(dim {self.stamp.get('dim')}), the index uses {embedder.name} "
                f"(dim {embedder.dim}); embed again with "
                f"`triage score --embed-only --embedder {spec_for_name(embedder.name)}`"
            )

    def rows_for(self, tickets: Sequence[Ticket]) -> NDArray[np.float32]:
        """The vectors of `tickets`, in their order; `DataError` naming any that has none."""
        position = {ticket_id: i for i, ticket_id in enumerate(self.ids)}
        missing = [t.ticket_id for t in tickets if t.ticket_id not in position]
        if missing:
            raise DataError(
                f"{len(missing)} ticket(s) have no vector in {self.folder} (e.g. {missing[:3]}); "
                "embed the same export with `triage score --embed-only`"
            )
        return self.matrix[[position[t.ticket_id] for t in tickets]]


def read_vectors(folder: Path) -> VectorSet:
    """A vectors folder from `triage score --embed-only` (either engine)."""
    folder = Path(folder)
    summary = read_summary(folder)
    if summary.get("kind") != "vectors" or "embedder" not in summary:
        raise DataError(
            f"{folder}: not a vectors folder; write one with `triage score --embed-only`"
        )
    stamp = dict(summary["embedder"])
    table = pa.concat_tables(
        pq.read_table(p, columns=["ticket_id", "vector"]) for p in parquet_files(folder)
    )
    flat = table.column("vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
    matrix = np.asarray(flat, dtype=np.float32).reshape(-1, int(stamp["dim"]))
    if len(matrix) != table.num_rows:
        raise DataError(f"{folder}: vectors are not all {stamp['dim']}-dimensional; embed again")
    return VectorSet(folder, stamp, [str(i) for i in table.column("ticket_id").to_pylist()], matrix)


def build_index(
    tickets: Sequence[Ticket], vectors: VectorSet, out: Path, articles: Sequence[KBArticle] = ()
) -> Retriever:
    """A new index at `out` over the solved tickets, from precomputed vectors; the embedder is
    the one the vectors are stamped with (loaded for queries, articles and calibration)."""
    embedder = load_embedder(spec_for_name(str(vectors.stamp.get("name"))))
    vectors.check(embedder)
    solved = [t for t in tickets if is_indexable(t)]
    if not solved:
        raise DataError("no solved ticket with a solution to index; check the export's status")
    matrix = vectors.rows_for(solved)
    retriever = Retriever.build(solved, list(articles), embedder, ticket_vectors=matrix)
    retriever.save(out)
    return retriever


def add_to_index(
    tickets: Sequence[Ticket], vectors: VectorSet, index: Path
) -> tuple[Retriever, int]:
    """Add the solved tickets to the index at `index` with their precomputed vectors (an
    unsolved ticket only drops an older indexed version, as `triage index add` does)."""
    retriever = Retriever.load(index, load_embedder(saved_embedder_spec(index)))
    vectors.check(retriever.embedder)
    solved = [t for t in tickets if is_indexable(t)]
    matrix = vectors.rows_for(solved)
    for ticket in tickets:
        if not is_indexable(ticket):
            retriever.add_ticket(ticket)
    for ticket, vector in zip(solved, matrix, strict=True):
        retriever.add_ticket(ticket, vector=vector)
    retriever.save(index)
    return retriever, len(solved)
