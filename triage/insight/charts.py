"""Report charts as inline PNG data URIs (matplotlib's object API: no pyplot, no global state)."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np

_BLUE, _ORANGE, _GREEN, _GREY = "#2b6cb0", "#dd6b20", "#2f855a", "#a0aec0"


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def data_uri(fig: Any) -> str:
    """The figure as a `data:image/png;base64,...` URI (self-contained, no file)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def heatmap(peaks: dict[str, Any], zone: str) -> str:
    """Tickets per week by weekday (rows) and local hour (columns)."""
    grid = np.asarray(peaks["heatmap"], dtype=float)
    fig = _figure(9.5, 3.2)
    ax = fig.add_subplot()
    image = ax.imshow(grid, aspect="auto", cmap="YlOrRd")
    ax.set_yticks(range(7), peaks["weekdays"])
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize=8)
    ax.set_xlabel(f"hour of day ({zone})")
    fig.colorbar(image, ax=ax, label="tickets per week")
    for (row, col), value in np.ndenumerate(grid):
        if value >= 0.5 * grid.max() and grid.max() > 0:
            ax.text(col, row, f"{value:.0f}", ha="center", va="center", fontsize=7)
    return data_uri(fig)


def _series(rows: list[dict[str, Any]], name: str) -> np.ndarray:
    return np.array([np.nan if r[name] is None else float(r[name]) for r in rows], dtype=float)


def trends(rows: list[dict[str, Any]]) -> str:
    """Per period: tickets (bars; a partial period pale), SLA shares and FCR (lines), and median
    response and resolution hours (lines)."""
    fig = _figure(9.5, 7.0)
    axes = fig.subplots(3, 1, sharex=True)
    x = np.arange(len(rows))
    colours = [_BLUE if r["complete"] else _GREY for r in rows]
    axes[0].bar(x, _series(rows, "tickets"), color=colours)
    axes[0].set_ylabel("tickets")
    for name, colour, label in (
        ("response_within_sla", _BLUE, "response within SLA"),
        ("resolution_within_sla", _ORANGE, "resolution within SLA"),
        ("fcr_rate", _GREEN, "first-contact resolution"),
    ):
        axes[1].plot(x, _series(rows, name), color=colour, label=label, marker=".")
    axes[1].set_ylim(0, 1)
    axes[1].set_ylabel("share")
    axes[1].legend(fontsize=8, loc="lower left")
    axes[2].plot(x, _series(rows, "response_median_h"), color=_BLUE, marker=".", label="response")
    axes[2].plot(
        x, _series(rows, "resolution_median_h"), color=_ORANGE, marker=".", label="resolution"
    )
    axes[2].set_ylabel("median hours")
    axes[2].legend(fontsize=8, loc="upper left")
    step = max(1, len(rows) // 12)
    axes[2].set_xticks(
        x[::step], [r["period"].split("/")[0] for r in rows][::step], rotation=30, fontsize=8
    )
    return data_uri(fig)


def distributions(histograms: dict[str, Any], csat: dict[str, int] | None) -> str:
    """Resolution time per priority (histograms over log-spaced hours, from
    `kpi.distributions`) and the CSAT distribution (bars), when known."""
    fig = _figure(9.5, 3.2)
    left, right = fig.subplots(1, 2, width_ratios=(2, 1))
    edges = np.asarray(histograms["edges_h"], dtype=float)
    for priority, counts in (histograms.get("resolution") or {}).items():
        left.stairs(counts, edges, label=priority)
    left.set_xscale("log")
    left.set_xlabel("resolution time (hours, log scale)")
    left.set_ylabel("tickets")
    left.legend(fontsize=8)
    scores = [str(s) for s in range(1, 6)]
    right.bar(scores, [(csat or {}).get(s, 0) for s in scores], color=_GREEN)
    right.set_xlabel("CSAT score" if csat else "CSAT score (not recorded)")
    right.set_ylabel("answers")
    return data_uri(fig)


def time_spent(rows: list[dict[str, Any]], top: int = 15) -> str:
    """Hours spent per category (horizontal bars, largest on top)."""
    shown = rows[:top][::-1]
    fig = _figure(9.5, 0.22 * len(shown) + 1.0)
    ax = fig.add_subplot()
    ax.barh([r["category"] for r in shown], [r["total_h"] or 0 for r in shown], color=_BLUE)
    ax.set_xlabel("hours spent")
    return data_uri(fig)
