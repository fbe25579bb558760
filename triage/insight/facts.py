"""Per-ticket facts the KPIs aggregate: durations, SLA outcomes, FCR, escalation, local time.

Every fact is a float column: a value, or NaN when the ticket cannot say (a field is missing, the
ticket was cancelled, it has no SLA target). Aggregates skip NaN, so a missing field never counts
as a zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from triage.insight.config import InsightConfig
from triage.insight.table import TIMESTAMPS, available

OPEN_STATUSES = frozenset({"new", "in_progress", "on_hold"})
SOLVED_STATUSES = frozenset({"resolved", "closed"})
DIMENSIONS: tuple[str, ...] = ("category", "support_line", "channel", "priority")

REQUIRES: dict[str, tuple[str, ...]] = {
    "volume": ("created_at",),
    "response_time": ("created_at", "first_response_at"),
    "resolution_time": ("created_at", "resolved_at"),
    "first_contact_resolution": ("first_response_at", "resolved_at", "reopened_count"),
    "escalation": ("support_line",),
    "reopened": ("reopened_count",),
    "csat": ("csat",),
    "time_spent": ("time_spent_minutes",),
}
"""The fields each KPI needs; a KPI whose field no ticket has is unavailable, with that reason."""


@dataclass(frozen=True, slots=True)
class Facts:
    """The per-ticket fact table, the moment the data describes, and what is unavailable."""

    frame: pd.DataFrame
    as_of: pd.Timestamp
    """UTC moment the data was exported (the latest timestamp in it, unless given)."""
    unavailable: dict[str, str]
    """KPI name -> why it cannot be computed."""

    def available(self, kpi: str) -> bool:
        return kpi not in self.unavailable


def missing_reason(table: pd.DataFrame, kpi: str) -> str | None:
    """Why `kpi` cannot be computed from `table` (None when it can)."""
    missing = [c for c in REQUIRES[kpi] if not available(table, c)]
    if not missing:
        return None
    return f"no ticket has {', '.join(missing)}; map the field(s) in the export's column mapping"


def latest_timestamp(table: pd.DataFrame) -> pd.Timestamp | None:
    """The latest of all timestamps in the table (UTC), or None for a table without any."""
    values = [table[c].max() for c in TIMESTAMPS if available(table, c)]
    values = [v for v in values if not pd.isna(v)]
    return max(values) if values else None


def build_facts(
    table: pd.DataFrame, config: InsightConfig, as_of: pd.Timestamp | None = None
) -> Facts:
    """Derive the facts of every ticket of `table` (see `triage.insight.table`)."""
    as_of = as_of if as_of is not None else latest_timestamp(table)
    as_of = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.now(tz="UTC"))
    as_of = as_of.tz_localize("UTC") if as_of.tzinfo is None else as_of.tz_convert("UTC")
    unavailable = {k: r for k in REQUIRES if (r := missing_reason(table, k)) is not None}
    frame = pd.DataFrame(index=table.index)
    frame["local"] = table["created_at"].dt.tz_convert(config.zone()).dt.tz_localize(None)
    status = table["status"].astype(object)
    cancelled = status.eq("cancelled").fillna(False).to_numpy(dtype=bool)
    frame["cancelled"] = cancelled
    frame["open"] = status.isin(OPEN_STATUSES).to_numpy(dtype=bool)
    _durations(frame, table, cancelled)
    _sla(frame, table, config, as_of)
    _outcomes(frame, table, config, cancelled)
    return Facts(frame=frame, as_of=as_of, unavailable=unavailable)


def _hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds() / 3600.0


def _durations(frame: pd.DataFrame, table: pd.DataFrame, cancelled: np.ndarray) -> None:
    response = _hours(table["first_response_at"], table["created_at"])
    resolution = _hours(table["resolved_at"], table["created_at"])
    frame["response_h"] = response.where(~cancelled)
    frame["resolution_h"] = resolution.where(~cancelled)


def _within(hours: pd.Series, target: pd.Series, age: pd.Series, pending: pd.Series) -> pd.Series:
    """1.0 met, 0.0 missed (done late, or still pending past the target), NaN unknown."""
    out = pd.Series(np.nan, index=hours.index)
    done = hours.notna() & target.notna()
    out[done] = (hours[done] <= target[done]).astype(float)
    late = hours.isna() & pending & target.notna() & (age > target)
    out[late] = 0.0
    return out


def _sla(
    frame: pd.DataFrame, table: pd.DataFrame, config: InsightConfig, as_of: pd.Timestamp
) -> None:
    priority = table["priority"].astype(object)
    response_target = priority.map(dict(config.sla_response_hours)).astype(float)
    resolution_target = priority.map(dict(config.sla_resolution_hours)).astype(float)
    age = (as_of - table["created_at"]).dt.total_seconds() / 3600.0
    is_open = frame["open"]
    frame["response_within"] = _within(frame["response_h"], response_target, age, is_open)
    frame["resolution_within"] = _within(frame["resolution_h"], resolution_target, age, is_open)


def _outcomes(
    frame: pd.DataFrame, table: pd.DataFrame, config: InsightConfig, cancelled: np.ndarray
) -> None:
    status = table["status"].astype(object)
    solved = ~cancelled & (table["resolved_at"].notna() | status.isin(SOLVED_STATUSES))
    frame["solved"] = solved.to_numpy(dtype=bool)
    line = table["support_line"]
    frame["beyond_first"] = (line >= 2).astype(float).where(line.notna() & ~cancelled)
    escalated = table["escalated"].astype("Float64").astype(float)
    frame["escalated"] = escalated.where(~cancelled)
    reopened = table["reopened_count"]
    frame["reopened"] = (reopened > 0).astype(float).where(reopened.notna() & solved)
    frame["reopens"] = reopened.where(solved)
    frame["csat"] = table["csat"].where(~cancelled)
    frame["spent_h"] = table["time_spent_minutes"] / 60.0
    frame["fcr"] = _fcr(table, config, solved)


def _fcr(table: pd.DataFrame, config: InsightConfig, solved: pd.Series) -> pd.Series:
    """1.0 first-contact resolution, 0.0 not, NaN unknown (see `InsightConfig.fcr_minutes`)."""
    after_response = _hours(table["resolved_at"], table["first_response_at"]) * 60.0
    known = solved & after_response.notna() & table["reopened_count"].notna()
    quick = after_response <= config.fcr_minutes
    never_reopened = table["reopened_count"] == 0
    not_escalated = ~table["escalated"].fillna(False).astype(bool)
    first_line = table["support_line"].fillna(1) == 1
    fcr = (quick & never_reopened & not_escalated & first_line).astype(float)
    return fcr.where(known)
