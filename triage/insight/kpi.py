"""The KPIs a service desk is judged by, overall and per group (category, line, channel, ...).

Times are hours, rates shares in [0, 1]; a KPI whose fields are missing is reported as
`{"available": false, "reason": ...}` and a group value as None, never as a zero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from triage.insight.config import PRIORITIES, InsightConfig
from triage.insight.facts import DIMENSIONS, Facts

MEASURES: dict[str, str] = {
    "tickets": "volume",
    "response_median_h": "response_time",
    "response_p90_h": "response_time",
    "response_within_sla": "response_time",
    "resolution_median_h": "resolution_time",
    "resolution_p90_h": "resolution_time",
    "resolution_within_sla": "resolution_time",
    "fcr_rate": "first_contact_resolution",
    "escalation_rate": "escalation",
    "reopened_rate": "reopened",
    "csat_mean": "csat",
    "time_spent_h": "time_spent",
}
"""The per-group measures, each with the KPI whose fields it needs."""


def _num(value: Any, digits: int = 4) -> float | None:
    """A JSON-safe rounded float, None for NaN."""
    if value is None or pd.isna(value):
        return None
    return round(float(value), digits)


def _mean(series: pd.Series) -> float | None:
    return _num(series.mean()) if series.notna().any() else None


def _quantile(series: pd.Series, q: float) -> float | None:
    values = series.dropna()
    return _num(values.quantile(q)) if len(values) else None


def measures(frame: pd.DataFrame, facts: Facts) -> dict[str, float | int | None]:
    """The `MEASURES` of a subset of the fact table (None where unknown or unavailable)."""
    values: dict[str, float | int | None] = {
        "tickets": len(frame),
        "response_median_h": _quantile(frame["response_h"], 0.5),
        "response_p90_h": _quantile(frame["response_h"], 0.9),
        "response_within_sla": _mean(frame["response_within"]),
        "resolution_median_h": _quantile(frame["resolution_h"], 0.5),
        "resolution_p90_h": _quantile(frame["resolution_h"], 0.9),
        "resolution_within_sla": _mean(frame["resolution_within"]),
        "fcr_rate": _mean(frame["fcr"]),
        "escalation_rate": _mean(frame["beyond_first"]),
        "reopened_rate": _mean(frame["reopened"]),
        "csat_mean": _mean(frame["csat"]),
        "time_spent_h": _num(frame["spent_h"].sum()) if frame["spent_h"].notna().any() else None,
    }
    return {k: (v if facts.available(MEASURES[k]) else None) for k, v in values.items()}


def by_dimension(facts: Facts, table: pd.DataFrame, dimension: str) -> list[dict[str, Any]]:
    """`measures` per value of `dimension` (a `DIMENSIONS` column of the table), largest first.

    Tickets without a value are grouped under "(none)".
    """
    keys = table[dimension].astype(object)
    if dimension == "support_line":
        keys = keys.map(lambda v: None if pd.isna(v) else str(int(v)))
    keys = keys.where(keys.notna(), "(none)").astype(str)
    rows = [
        {"value": str(value), **measures(group, facts)}
        for value, group in facts.frame.groupby(keys.to_numpy(), sort=True)
    ]
    return sorted(rows, key=lambda r: -(r["tickets"] or 0))


def breakdowns(facts: Facts, table: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """`by_dimension` for each of category, support_line, channel and priority."""
    return {d: by_dimension(facts, table, d) for d in DIMENSIONS}


# -- the overall KPIs, with their details -------------------------------------------------------


def _unavailable(facts: Facts, kpi: str) -> dict[str, Any] | None:
    reason = facts.unavailable.get(kpi)
    return {"available": False, "reason": reason} if reason else None


def _duration_kpi(
    facts: Facts, table: pd.DataFrame, column: str, within: str, targets: dict[str, float]
) -> dict[str, Any]:
    frame = facts.frame
    values = frame[column].dropna()
    per_priority = {}
    for priority in PRIORITIES:
        rows = table["priority"].eq(priority).fillna(False).to_numpy(dtype=bool)
        per_priority[priority] = {
            "target_h": targets.get(priority),
            "tickets": int(frame.loc[rows, within].notna().sum()),
            "within_sla": _mean(frame.loc[rows, within]),
            "median_h": _quantile(frame.loc[rows, column], 0.5),
        }
    return {
        "available": True,
        "n": len(values),
        "without_value": int((~frame["cancelled"]).sum() - len(values)),
        "median_h": _quantile(values, 0.5),
        "p90_h": _quantile(values, 0.9),
        "within_sla": _mean(frame[within]),
        "sla_judged": int(frame[within].notna().sum()),
        "by_priority": per_priority,
    }


def _rate_kpi(series: pd.Series) -> dict[str, Any]:
    return {"available": True, "n": int(series.notna().sum()), "rate": _mean(series)}


def _escalation(facts: Facts, table: pd.DataFrame) -> dict[str, Any]:
    frame = facts.frame
    out = _rate_kpi(frame["beyond_first"])
    beyond = (frame["beyond_first"] == 1.0).to_numpy(dtype=bool)
    lines = table.loc[beyond, "support_line"].value_counts()
    out["to_line"] = {str(int(k)): _num(v / max(beyond.sum(), 1)) for k, v in lines.items()}
    groups = table.loc[beyond, "assignment_group"].dropna().value_counts().head(10)
    out["to_groups"] = [
        {"group": str(g), "tickets": int(c), "share": _num(c / max(beyond.sum(), 1))}
        for g, c in groups.items()
    ]
    flag = frame["escalated"]
    out["escalated_flag_rate"] = _mean(flag) if flag.notna().any() else None
    return out


def _csat(facts: Facts) -> dict[str, Any]:
    frame = facts.frame
    scores = frame["csat"].dropna()
    solved = int(frame["solved"].sum())
    counts = scores.round().astype(int).value_counts()
    return {
        "available": True,
        "n": len(scores),
        "mean": _mean(scores),
        "response_rate": _num(len(scores) / solved) if solved else None,
        "distribution": {str(s): int(counts.get(s, 0)) for s in range(1, 6)},
    }


def _time_spent(facts: Facts, table: pd.DataFrame) -> dict[str, Any]:
    spent = facts.frame["spent_h"]
    total = float(spent.sum())
    rows: list[dict[str, Any]] = []
    for category, hours in spent.groupby(table["category"].fillna("(none)").to_numpy()):
        rows.append(
            {
                "category": str(category),
                "tickets": int(hours.notna().sum()),
                "total_h": _num(hours.sum(), 1),
                "share": _num(hours.sum() / total) if total else None,
                "median_min": _num(hours.median() * 60, 1) if hours.notna().any() else None,
            }
        )
    rows.sort(key=lambda r: -float(r["total_h"] or 0))
    return {
        "available": True,
        "n": int(spent.notna().sum()),
        "total_h": _num(total, 1),
        "median_min": _num(spent.median() * 60, 1),
        "by_category": rows,
    }


def _volume(facts: Facts) -> dict[str, Any]:
    frame = facts.frame
    dated = frame["local"].dropna()
    days = (dated.max() - dated.min()).days + 1 if len(dated) else 0
    return {
        "available": True,
        "tickets": len(frame),
        "cancelled": int(frame["cancelled"].sum()),
        "open": int(frame["open"].sum()),
        "solved": int(frame["solved"].sum()),
        "days": int(days),
        "per_day": _num(len(dated) / days, 2) if days else None,
    }


def _reopened(facts: Facts) -> dict[str, Any]:
    out = _rate_kpi(facts.frame["reopened"])
    out["mean_reopens"] = _mean(facts.frame["reopens"])
    return out


def overall(facts: Facts, table: pd.DataFrame, config: InsightConfig) -> dict[str, Any]:
    """Every KPI over the whole table, with its details (SLA per priority, CSAT distribution...)."""
    computed: dict[str, Callable[[], dict[str, Any]]] = {
        "volume": lambda: _volume(facts),
        "response_time": lambda: _duration_kpi(
            facts,
            table,
            "response_h",
            "response_within",
            dict(config.sla_response_hours),
        ),
        "resolution_time": lambda: _duration_kpi(
            facts,
            table,
            "resolution_h",
            "resolution_within",
            dict(config.sla_resolution_hours),
        ),
        "first_contact_resolution": lambda: _rate_kpi(facts.frame["fcr"]),
        "escalation": lambda: _escalation(facts, table),
        "reopened": lambda: _reopened(facts),
        "csat": lambda: _csat(facts),
        "time_spent": lambda: _time_spent(facts, table),
    }
    return {name: _unavailable(facts, name) or make() for name, make in computed.items()}


HOUR_BINS = np.logspace(-2, 3.5, 34)
"""Histogram edges in hours: 36 s to about 130 days, log-spaced (6 bins per factor of 10)."""


def distributions(facts: Facts, table: pd.DataFrame) -> dict[str, Any]:
    """Histograms (counts per `HOUR_BINS` bin) of response and resolution hours per priority;
    values outside the edges are counted in the first or last bin."""
    out: dict[str, Any] = {"edges_h": [round(float(e), 4) for e in HOUR_BINS]}
    priority = table["priority"].astype(object)
    for name, column in (("response", "response_h"), ("resolution", "resolution_h")):
        values = facts.frame[column]
        if values.notna().sum() == 0:
            out[name] = None
            continue
        out[name] = {}
        for p in PRIORITIES:
            picked = values[priority.eq(p).fillna(False).to_numpy(dtype=bool)].dropna()
            clipped = np.clip(picked.to_numpy(), HOUR_BINS[0], HOUR_BINS[-1])
            out[name][p] = np.histogram(clipped, bins=HOUR_BINS)[0].astype(int).tolist()
    return out
