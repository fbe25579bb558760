"""The insight report: KPIs, trends, peaks, recurring issues, KB gaps, as one JSON-ready dict."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from triage.embeddings import Embedder
from triage.insight import kpi, periods
from triage.insight.boilerplate import declutter
from triage.insight.clusters import (
    ClusterInput,
    ClusterParams,
    cluster_labels,
    describe,
    rank,
    sample_rows,
)
from triage.insight.config import InsightConfig
from triage.insight.facts import Facts, build_facts
from triage.insight.kb_gaps import Articles, GapParams, annotate_kb, kb_gaps, new_categories
from triage.insight.peaks import peaks
from triage.insight.sources import Classify
from triage.insight.table import ACTION_COLUMN, REASON_COLUMN, texts
from triage.schema import KBArticle

logger = logging.getLogger(__name__)

Progress = Callable[[str, int], None]
"""`progress(stage, units)`: a stage name and how many units of work just finished."""
EMBED_CHUNK = 256
STAGES = 4
"""Units of work besides embedding: KPIs, periods and peaks, clustering, KB."""


def _quiet(stage: str, units: int) -> None:
    return None


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """`period`: day, week or month; `cluster_periods`: recurring issues are clustered over the
    last this many periods; `as_of`: the moment the data describes (default: its latest time)."""

    period: str = "week"
    cluster_periods: int = 4
    clusters: ClusterParams = field(default_factory=ClusterParams)
    gaps: GapParams = field(default_factory=GapParams)
    as_of: pd.Timestamp | None = None


def kpi_section(
    table: pd.DataFrame, config: InsightConfig, options: ReportOptions
) -> tuple[Facts, dict[str, Any]]:
    """The facts and every KPI part of the report (no embeddings needed)."""
    facts = build_facts(table, config, options.as_of)
    rows = periods.by_period(facts, config, options.period)
    return facts, {
        "kpis": kpi.overall(facts, table, config),
        "by": kpi.breakdowns(facts, table),
        "periods": rows,
        "trends": periods.trends(rows),
        "changes": periods.changes(facts, table, config, options.period),
        "peaks": peaks(facts),
        "distributions": kpi.distributions(facts, table),
    }


def embed(
    embedder: Embedder, items: Sequence[str], progress: Progress = _quiet
) -> NDArray[np.float32]:
    """Vectors (len(items), dim) in chunks of `EMBED_CHUNK`, reporting progress per chunk."""
    parts = []
    for start in range(0, len(items), EMBED_CHUNK):
        chunk = list(items[start : start + EMBED_CHUNK])
        parts.append(embedder.encode(chunk))
        progress("embedding", len(chunk))
    if not parts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)


def embed_articles(embedder: Embedder, articles: Sequence[KBArticle]) -> Articles:
    """`Articles` for insight: ids, titles and the embedder's vectors of title + body."""
    vectors = embed(embedder, [a.text for a in articles])
    return Articles([a.article_id for a in articles], [a.title for a in articles], vectors)


def window_rows(facts: Facts, options: ReportOptions) -> NDArray[np.int64]:
    """Rows created in the last `options.cluster_periods` periods (the newest may be partial)."""
    keys = periods.period_index(facts, options.period)
    recent = sorted(set(keys.dropna()))[-options.cluster_periods :]
    return np.flatnonzero(keys.isin(recent).to_numpy(dtype=bool)).astype(np.int64)


def clustering_view(
    items: list[str], embedder: Embedder, params: ClusterParams, progress: Progress = _quiet
) -> tuple[list[str], NDArray[np.float32]]:
    """The texts clusters are made of (boilerplate removed unless `boilerplate_share` is 0)
    and their vectors (n, dim)."""
    vectors = embed(embedder, items, progress)
    if not params.boilerplate_share:
        return items, vectors
    encode = lambda chunk: embed(embedder, chunk)  # noqa: E731  (the bar counts tickets once)
    share, coherence = params.boilerplate_share, params.boilerplate_coherence
    return declutter(items, vectors, encode, share, coherence)


def cluster_input(
    table: pd.DataFrame,
    facts: Facts,
    options: ReportOptions,
    embedder: Embedder,
    progress: Progress = _quiet,
    classify: Classify | None = None,
) -> ClusterInput:
    """Sample the window's tickets, embed and cluster them; `classify` adds category outcomes."""
    window = window_rows(facts, options)
    picked = window[sample_rows(len(window), options.clusters.max_tickets, options.clusters.seed)]
    rows = table.iloc[picked]
    if classify is not None:
        outcomes = list(classify(rows))
        rows = rows.assign(
            **{
                ACTION_COLUMN: [action for action, _ in outcomes],
                REASON_COLUMN: [reason for _, reason in outcomes],
            }
        )
    items, vectors = clustering_view(texts(rows), embedder, options.clusters, progress)
    labels = cluster_labels(vectors, options.clusters)
    keys = periods.period_index(facts, options.period).iloc[picked].reset_index(drop=True)
    return ClusterInput(
        rows=rows.reset_index(drop=True),
        facts=facts.frame.iloc[picked].reset_index(drop=True),
        texts=items,
        vectors=vectors,
        labels=labels,
        periods=keys,
        weight=len(window) / max(len(picked), 1),
    )


def cluster_section(
    data: ClusterInput, articles: Articles | None, options: ReportOptions, embedder: Embedder
) -> dict[str, Any]:
    """Recurring issues, KB gaps and candidate new categories of a clustered sample."""
    clusters = describe(data)
    annotate_kb(data, clusters, articles, options.gaps)
    clustered = int((data.labels >= 0).sum())
    return {
        "clusters": {
            "available": True,
            "embedder": embedder.name,
            "window_tickets": round(len(data.labels) * data.weight),
            "sampled": len(data.labels),
            "clustered_share": round(clustered / max(len(data.labels), 1), 3),
            "from": str(data.periods.min()) if len(data.periods) else None,
            "to": str(data.periods.max()) if len(data.periods) else None,
            "items": rank(clusters, "tickets"),
        },
        "kb_gaps": kb_gaps(data, clusters, articles),
        "new_categories": new_categories(clusters, options.gaps),
    }


def _no_clusters(reason: str) -> dict[str, Any]:
    off = {"available": False, "reason": reason, "items": []}
    return {"clusters": off, "kb_gaps": off, "new_categories": off}


def build_report(
    table: pd.DataFrame,
    config: InsightConfig,
    options: ReportOptions | None = None,
    *,
    embedder: Embedder | None = None,
    articles: Sequence[KBArticle] | None = None,
    source: str = "",
    classify: Classify | None = None,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """The whole report for a ticket table (see `triage.insight.table`).

    Without an `embedder` the recurring-issue, KB-gap and new-category parts are unavailable
    (with that reason); without `articles` the KB-gap part is. `classify` gives the category
    action and reason of clustered tickets when the table has none (for candidate new categories).
    """
    options = options or ReportOptions()
    facts, section = kpi_section(table, config, options)
    progress("kpis", 1)
    report: dict[str, Any] = {"meta": _meta(table, facts, config, options, source), **section}
    if embedder is None:
        report |= _no_clusters("no embedder: clustering was switched off")
        progress("clusters", STAGES - 1)
        return report
    data = cluster_input(table, facts, options, embedder, progress, classify)
    progress("clusters", 1)
    kb = embed_articles(embedder, articles) if articles else None
    progress("kb", 1)
    report |= cluster_section(data, kb, options, embedder)
    progress("done", 1)
    return report


def _meta(
    table: pd.DataFrame, facts: Facts, config: InsightConfig, options: ReportOptions, source: str
) -> dict[str, Any]:
    local = facts.frame["local"].dropna()
    return {
        "source": source,
        "tickets": len(table),
        "from": local.min().isoformat() if len(local) else None,
        "to": local.max().isoformat() if len(local) else None,
        "as_of": facts.as_of.isoformat(),
        "period": options.period,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": config.as_dict(),
        "unavailable": facts.unavailable,
    }
