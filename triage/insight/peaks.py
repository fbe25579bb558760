"""Peak moments: tickets per hour of day x day of week (local time), and the busiest hours."""

from __future__ import annotations

from typing import Any

import numpy as np

from triage.insight.facts import Facts

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def heatmap(facts: Facts) -> tuple[np.ndarray, float]:
    """Mean tickets per (weekday, hour) slot per week, shape (7, 24), Monday first, local time;
    and the number of weeks the data spans (calendar days / 7)."""
    local = facts.frame["local"].dropna()
    counts = np.zeros((7, 24), dtype=float)
    if local.empty:
        return counts, 0.0
    np.add.at(counts, (local.dt.day_of_week.to_numpy(), local.dt.hour.to_numpy()), 1.0)
    days = (local.max().normalize() - local.min().normalize()).days + 1
    weeks = days / 7.0
    return counts / max(weeks, 1.0), weeks


def peaks(facts: Facts, top: int = 5) -> dict[str, Any]:
    """The heatmap (`heatmap`), the `top` busiest slots, and tickets per weekday and per hour."""
    grid, weeks = heatmap(facts)
    if weeks == 0:
        return {"available": False, "reason": "no ticket has created_at"}
    order = np.argsort(-grid, axis=None, kind="stable")[:top]
    busiest = [
        {
            "weekday": WEEKDAYS[int(i // 24)],
            "hour": int(i % 24),
            "label": f"{WEEKDAYS[int(i // 24)]} {int(i % 24):02d}:00-{int(i % 24) + 1:02d}:00",
            "tickets_per_week": round(float(grid.flat[i]), 2),
        }
        for i in order
    ]
    return {
        "available": True,
        "weeks": round(weeks, 1),
        "heatmap": np.round(grid, 3).tolist(),
        "weekdays": list(WEEKDAYS),
        "busiest": busiest,
        "per_weekday": dict(zip(WEEKDAYS, np.round(grid.sum(axis=1), 2).tolist(), strict=True)),
        "per_hour": np.round(grid.sum(axis=0), 2).tolist(),
    }
