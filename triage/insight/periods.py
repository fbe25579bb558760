"""KPIs per period (day, week, month), their trends, and what changed most since the last period."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from triage.errors import ConfigError
from triage.insight.config import PERIODS, InsightConfig
from triage.insight.facts import DIMENSIONS, Facts
from triage.insight.kpi import MEASURES, measures

_FREQ = {"day": "D", "week": "W-SUN", "month": "M"}
TREND_PERIODS = 8
"""Complete periods the trend slope is fitted on."""
FLAT = 0.02
"""A trend whose slope is under 2% of the mean per period is called flat."""
CHANGE_MEASURES: dict[str, str] = {
    "tickets": "count",
    "response_median_h": "duration:response_h",
    "resolution_median_h": "duration:resolution_h",
    "response_within_sla": "rate:response_within",
    "resolution_within_sla": "rate:resolution_within",
    "fcr_rate": "rate:fcr",
    "escalation_rate": "rate:beyond_first",
    "reopened_rate": "rate:reopened",
    "csat_mean": "mean:csat",
}
"""The measures whose change between periods is ranked, with the test that scores it."""


def period_index(facts: Facts, period: str) -> pd.Series:
    """The local-time period of every ticket (NaT without `created_at`)."""
    if period not in _FREQ:
        raise ConfigError(f"period {period!r} unknown; use one of {PERIODS}")
    return facts.frame["local"].dt.to_period(_FREQ[period])


def _is_complete(key: pd.Period, facts: Facts, config: InsightConfig) -> bool:
    """True when the data covers the whole period: it starts before and reaches past it."""
    first = facts.frame["local"].min()
    as_of = facts.as_of.tz_convert(config.zone()).tz_localize(None)
    return bool(key.end_time <= as_of and not pd.isna(first) and key.start_time >= first.floor("D"))


def by_period(facts: Facts, config: InsightConfig, period: str) -> list[dict[str, Any]]:
    """`measures` per period, oldest first, each with its start, end and whether it is complete.

    A period is complete when the data covers all of it (the newest and the oldest may not).
    """
    keys = period_index(facts, period)
    return [
        {
            "period": str(key),
            "start": key.start_time.isoformat(),
            "end": key.end_time.ceil("s").isoformat(),
            "complete": _is_complete(key, facts, config),
            **measures(group, facts),
        }
        for key, group in facts.frame.groupby(keys, sort=True)
    ]


def trends(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per measure: the least-squares slope over the last `TREND_PERIODS` complete periods,
    relative to their mean, and a direction (up, down or flat)."""
    complete = [r for r in rows if r["complete"]][-TREND_PERIODS:]
    out: dict[str, dict[str, Any]] = {}
    for name in MEASURES:
        values = np.array(
            [np.nan if r[name] is None else float(r[name]) for r in complete], dtype=float
        )
        keep = ~np.isnan(values)
        if keep.sum() < 3:
            out[name] = {"periods": int(keep.sum()), "slope": None, "direction": None}
            continue
        x = np.arange(len(values))[keep]
        slope = float(np.polyfit(x, values[keep], 1)[0])
        mean = float(np.mean(values[keep]))
        relative = slope / abs(mean) if mean else 0.0
        direction = "flat" if abs(relative) < FLAT else ("up" if slope > 0 else "down")
        out[name] = {
            "periods": int(keep.sum()),
            "slope": round(slope, 4),
            "relative_slope": round(relative, 4),
            "direction": direction,
        }
    return out


# -- what changed most ----------------------------------------------------------------------


def _z_count(a: int, b: int) -> float | None:
    return (b - a) / math.sqrt(a + b) if a + b > 0 else None


def _z_rate(a: pd.Series, b: pd.Series, min_n: int) -> float | None:
    a, b = a.dropna(), b.dropna()
    if len(a) < min_n or len(b) < min_n:
        return None
    pooled = (a.sum() + b.sum()) / (len(a) + len(b))
    spread = math.sqrt(pooled * (1 - pooled) * (1 / len(a) + 1 / len(b)))
    return float((b.mean() - a.mean()) / spread) if spread > 0 else None


def _z_mean(a: pd.Series, b: pd.Series, min_n: int) -> float | None:
    a, b = a.dropna(), b.dropna()
    if len(a) < min_n or len(b) < min_n:
        return None
    spread = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return float((b.mean() - a.mean()) / spread) if spread > 0 else None


def _z(kind: str, a: pd.DataFrame, b: pd.DataFrame, min_n: int) -> float | None:
    test, _, column = kind.partition(":")
    if test == "count":
        return _z_count(len(a), len(b))
    if test == "rate":
        return _z_rate(a[column], b[column], min_n)
    if test == "duration":  # durations are skewed: compare their logs
        return _z_mean(np.log1p(a[column].clip(lower=0)), np.log1p(b[column].clip(lower=0)), min_n)
    return _z_mean(a[column], b[column], min_n)


def _compare(
    facts: Facts, before: pd.DataFrame, after: pd.DataFrame, min_n: int
) -> list[dict[str, Any]]:
    old, new = measures(before, facts), measures(after, facts)
    rows = []
    for name, kind in CHANGE_MEASURES.items():
        if old[name] is None or new[name] is None:
            continue
        z = _z(kind, before, after, min_n)
        if z is None or not math.isfinite(z):
            continue
        rows.append({"measure": name, "before": old[name], "after": new[name], "z": round(z, 2)})
    return rows


def changes(
    facts: Facts, table: pd.DataFrame, config: InsightConfig, period: str, top: int = 10
) -> dict[str, Any]:
    """The `top` largest changes between the last two complete periods, overall and per value of
    category, line, channel and priority, ranked by |z| (a Poisson test for volume, two-proportion
    z for rates, Welch's z for CSAT and for log durations). Groups smaller than
    `config.min_group` on either side are not ranked."""
    keys = period_index(facts, period)
    done = [k for k in sorted(set(keys.dropna())) if _is_complete(k, facts, config)]
    if len(done) < 2:
        return {"available": False, "reason": "fewer than two complete periods", "items": []}
    before_key, after_key = done[-2], done[-1]
    in_before = (keys == before_key).to_numpy(dtype=bool)
    in_after = (keys == after_key).to_numpy(dtype=bool)
    items = [
        {"dimension": "all", "value": "all", **c}
        for c in _compare(facts, facts.frame[in_before], facts.frame[in_after], config.min_group)
    ]
    for dimension in DIMENSIONS:
        values = table[dimension].astype(object).map(_label)
        for value in sorted(set(values[in_before | in_after].dropna())):
            mask = (values == value).to_numpy(dtype=bool)
            before, after = facts.frame[in_before & mask], facts.frame[in_after & mask]
            if len(before) + len(after) < config.min_group:
                continue
            items += [
                {"dimension": dimension, "value": value, **c}
                for c in _compare(facts, before, after, config.min_group)
            ]
    items.sort(key=lambda c: -abs(c["z"]))
    return {
        "available": True,
        "before": str(before_key),
        "after": str(after_key),
        "items": items[:top],
    }


def _label(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
