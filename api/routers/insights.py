"""GET /v1/insights/kpi, /clusters, /kb-gaps and /v1/incidents/emerging (lead or admin scope).

The KPIs and clusters are computed on request from the store (tickets triaged or resolved in the
last `days` days); incidents come from the monitor that watches triaged tickets.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import FlushedPredictions, InsightDep, StoreDep
from api.incidents import InsightState
from api.security import LeadScope
from triage.insight.clusters import ClusterParams, rank
from triage.insight.report import ReportOptions, cluster_input, cluster_section, kpi_section
from triage.insight.sources import from_store
from triage.store.protocol import FeedbackStore

router = APIRouter(prefix="/v1", tags=["insight"], dependencies=[LeadScope, FlushedPredictions])

Days = Annotated[int, Query(ge=1, le=3650, description="Tickets of the last N days.")]
Period = Annotated[Literal["day", "week", "month"], Query(description="KPIs per period.")]


def _table(store: FeedbackStore, days: int) -> pd.DataFrame:
    return from_store(store, datetime.now(UTC) - timedelta(days=days))


def _kpis(insight: InsightState, store: FeedbackStore, days: int, period: str) -> dict[str, Any]:
    table = _table(store, days)
    facts, section = kpi_section(table, insight.config, ReportOptions(period=period))
    return {"days": days, "tickets": len(table), "as_of": facts.as_of.isoformat(), **section}


def _clusters(insight: InsightState, store: FeedbackStore, days: int) -> dict[str, Any]:
    table = _table(store, days)
    if len(table) < 2 * ClusterParams().min_cluster_size:
        reason = f"{len(table)} tickets in the last {days} days: too few to cluster"
        off = {"available": False, "reason": reason, "items": []}
        return {"clusters": off, "kb_gaps": off, "new_categories": off}
    options = ReportOptions(
        period="day",
        cluster_periods=days,
        clusters=ClusterParams(max_tickets=insight.settings.insight_max_tickets),
    )
    facts, _ = kpi_section(table, insight.config, options)
    embedder = insight.embedder()
    data = cluster_input(table, facts, options, embedder)
    return cluster_section(data, insight.articles(), options, embedder)


@router.get("/insights/kpi", summary="Helpdesk KPIs")
async def get_kpi(
    insight: InsightDep, store: StoreDep, days: Days = 30, period: Period = "week"
) -> dict[str, Any]:
    """Response and resolution times against the SLA per priority, first-contact resolution,
    escalation, reopened rate, CSAT, volume and time spent: overall, per category, line, channel
    and priority, per period with trends and the largest changes, and the peak hours. A KPI
    whose fields the tickets lack is `{"available": false, "reason": ...}`."""
    return await run_in_threadpool(_kpis, insight, store, days, period)


@router.get("/insights/clusters", summary="Recurring issues")
async def get_clusters(
    insight: InsightDep,
    store: StoreDep,
    days: Days = 30,
    sort: Annotated[Literal["tickets", "growth", "time_spent_h"], Query()] = "tickets",
) -> dict[str, Any]:
    """Tickets of the last `days` days clustered by meaning, named by distinctive terms and a
    representative ticket, with their best KB article and candidate new categories (clusters
    whose tickets the classifier was mostly unsure of: not `auto` for a reason other than
    `never_auto`)."""
    section = await run_in_threadpool(_clusters, insight, store, days)
    clusters = section["clusters"]
    return {
        **clusters,
        "items": rank(clusters["items"], sort),
        "new_categories": section["new_categories"],
    }


@router.get("/insights/kb-gaps", summary="KB gaps with draft articles")
async def get_kb_gaps(insight: InsightDep, store: StoreDep, days: Days = 30) -> dict[str, Any]:
    """Recurring issues without a good KB article, most tickets first, each with draft article
    material (symptoms, causes, solution steps) from what agents wrote. Needs TRIAGE_KB_PATH."""
    section = await run_in_threadpool(_clusters, insight, store, days)
    return dict(section["kb_gaps"])


@router.get("/incidents/emerging", summary="Emerging incidents")
async def get_emerging(insight: InsightDep) -> dict[str, Any]:
    """Bursts of similar triaged tickets well above their usual rate, still receiving tickets
    (none for `quiet_minutes`: closed). Each has its ticket ids, so a ticket system can link them
    to one major incident; new ones are also POSTed to TRIAGE_WEBHOOK_URL when set. With
    TRIAGE_INCIDENTS=auto (the default) and no webhook, the first call starts the monitor: it
    reads the recent history first (up to TRIAGE_INCIDENT_BACKFILL tickets), so it can take a
    while."""
    monitor = insight.monitor
    if monitor is None:
        return {"enabled": False, "reason": "TRIAGE_INCIDENTS is off", "incidents": []}
    await run_in_threadpool(monitor.watch)  # TRIAGE_INCIDENTS=auto: the first request starts it
    incidents = await run_in_threadpool(monitor.open_incidents)
    return {
        "enabled": True,
        "params": {
            "window_minutes": monitor.params.window_minutes,
            "similarity": monitor.params.similarity,
            "min_count": monitor.params.min_count,
        },
        "incidents": [{**i.as_dict(), "name": monitor.name_of(i)} for i in incidents],
    }
