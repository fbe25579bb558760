"""The ticket table insight works on: one pandas row per ticket, from a file, tickets or the store.

Columns are the `Ticket` fields insight reads (`COLUMNS`), timestamps as UTC-aware pandas
datetimes, enums as their plain values (priority "P2", support line 2), missing values as NA. An
optional `category_action` column carries the classifier's action (`auto`/`suggest`/`review`),
and `category_reason` why it was not `auto` (`triage.prediction.Reason` values; NA when it was,
or when the prediction was stored before reason codes were).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from triage.errors import DataError
from triage.schema import Ticket

TIMESTAMPS: tuple[str, ...] = ("created_at", "first_response_at", "resolved_at", "closed_at")
COLUMNS: tuple[str, ...] = (
    "ticket_id",
    "subject",
    "body",
    *TIMESTAMPS,
    "language",
    "channel",
    "category",
    "priority",
    "support_line",
    "assignment_group",
    "status",
    "cause",
    "solution",
    "time_spent_minutes",
    "reopened_count",
    "escalated",
    "csat",
    "kb_article_id",
)
ACTION_COLUMN = "category_action"
REASON_COLUMN = "category_reason"
_NUMERIC = ("support_line", "time_spent_minutes", "reopened_count", "csat")


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every column of `COLUMNS` (missing ones all NA) and consistent dtypes.

    Timestamps become UTC-aware, numbers float (NA for missing), `escalated` a nullable boolean,
    text columns objects. Rows without `created_at` are kept: KPIs that need it skip them.
    """
    out = pd.DataFrame(index=frame.index)
    for name in COLUMNS:
        column = frame[name] if name in frame.columns else pd.Series(pd.NA, index=frame.index)
        out[name] = _typed(name, column)
    for name in (ACTION_COLUMN, REASON_COLUMN):
        if name in frame.columns:
            out[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return out.reset_index(drop=True)


def _typed(name: str, column: pd.Series) -> pd.Series:
    if name in TIMESTAMPS:
        return pd.to_datetime(column, utc=True, errors="coerce").astype("datetime64[us, UTC]")
    if name in _NUMERIC:
        return pd.to_numeric(column, errors="coerce").astype("float64")
    if name == "escalated":
        return column.astype("boolean")
    return column.astype(object).where(column.notna(), None)


def from_parquet(path: Path) -> pd.DataFrame:
    """The table of a normalised tickets Parquet file (`triage data import` / `generate`)."""
    import pyarrow.parquet as pq

    from triage.dataset import TICKET_SCHEMA

    if not Path(path).is_file():
        raise DataError(f"{path}: no such file; run `triage data import` or `triage data generate`")
    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc
    missing = set(TICKET_SCHEMA.names) - set(names)
    if missing:
        raise DataError(
            f"{path}: not a normalised triage dataset (missing {sorted(missing)}); "
            "pass the export with --mapping, or import it with `triage data import`"
        )
    table = pq.read_table(path, columns=[c for c in COLUMNS if c in names])
    return normalise(table.to_pandas())


def from_tickets(
    tickets: Iterable[Ticket],
    actions: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The table of `Ticket` objects; `actions` maps ticket ids to the category action, `reasons`
    to why it was not `auto` (ids without one get NA)."""
    rows = [t.to_dict() for t in tickets]
    frame = pd.DataFrame(rows, columns=list(COLUMNS)) if rows else pd.DataFrame(columns=COLUMNS)
    if actions is not None:
        frame[ACTION_COLUMN] = frame["ticket_id"].map(actions)
        frame[REASON_COLUMN] = frame["ticket_id"].map(reasons or {})
    return normalise(frame)


def available(table: pd.DataFrame, column: str) -> bool:
    """True when at least one ticket has a value in `column`."""
    return column in table.columns and bool(table[column].notna().any())


def texts(table: pd.DataFrame) -> list[str]:
    """Subject and body per row, as `Ticket.text` joins them (what the models read)."""
    subject = table["subject"].fillna("").astype(str)
    body = table["body"].fillna("").astype(str)
    return [f"{s}\n{b}".strip() for s, b in zip(subject, body, strict=True)]
