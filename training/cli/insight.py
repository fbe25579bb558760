"""`triage report kpi`: the helpdesk report (KPIs, peaks, trends, recurring issues, KB gaps)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer

from training.cli.apps import report_app
from training.cli.common import JsonOption, emit, fail, handle_errors, load_tickets, progress_bar
from triage.outputs import check_file_out

DEFAULT_EMBEDDER = "use-multilingual"
"""Clusters Dutch and English tickets of one problem together (BENCHMARKS.md, Insight)."""
CACHE = Path(".cache/embeddings")


def _table(data: Path, mapping: str | None) -> Any:
    from triage.insight import table

    if mapping is None:
        return table.from_parquet(data)
    return table.from_tickets(load_tickets(data, mapping))


def _articles(data: Path, kb: Path | None) -> list[Any] | None:
    from triage.dataset import ARTICLES_FILE

    if kb is None:
        beside = data.parent / ARTICLES_FILE
        if not beside.is_file():
            return None
        kb = beside
    from triage.kb import read_kb

    return read_kb(kb)


def _config(config: Path | None, timezone: str | None) -> Any:
    from triage.insight.config import InsightConfig

    values: dict[str, Any] = {}
    if config is not None:
        values = InsightConfig.from_yaml(config).as_dict()
    if timezone is not None:
        values["timezone"] = timezone
    return InsightConfig.from_mapping(values)


def _classifier(model: Path | None) -> Any:
    """`classify(rows) -> category actions` with a loaded bundle, or None."""
    if model is None:
        return None
    from triage.insight.sources import bundle_classifier
    from triage.triager import Triager

    return bundle_classifier(Triager.load(model))


def _write(report: dict[str, Any], out: Path | None, fmt: str) -> None:
    if fmt == "json":
        text = json.dumps(report, indent=1, default=str) + "\n"
    else:
        from triage.insight.html import render

        text = render(report)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


@report_app.command("kpi")
@handle_errors
def report_kpi(
    data: Path = typer.Option(..., "--data", help="Tickets: normalised Parquet, or any export."),
    mapping: str | None = typer.Option(
        None, "--mapping", help="Column mapping (preset or YAML) when --data is an export."
    ),
    period: str = typer.Option("week", "--period", help="day, week or month."),
    out: Path | None = typer.Option(None, "--out", help="Report file (default: stdout)."),
    fmt: str = typer.Option("html", "--format", help="html (self-contained page) or json."),
    kb: Path | None = typer.Option(
        None,
        "--kb",
        help="KB articles (Markdown folder, CSV, JSONL, Parquet); default: "
        "kb_articles.parquet beside --data.",
    ),
    embedder: str = typer.Option(DEFAULT_EMBEDDER, "--embedder", help="Embedder for clustering."),
    clusters: bool = typer.Option(True, "--clusters/--no-clusters", help="Recurring issues."),
    cluster_periods: int = typer.Option(
        4, "--cluster-periods", min=1, help="Cluster the tickets of the last N periods."
    ),
    max_cluster_tickets: int = typer.Option(
        4000, "--max-cluster-tickets", min=20, help="Embed and cluster a sample of at most N."
    ),
    model: Path | None = typer.Option(
        None, "--model", help="Bundle: classify clustered tickets to find new categories."
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Insight YAML (timezone, sla_response_hours, ...)."
    ),
    timezone: str | None = typer.Option(None, "--tz", help="Local zone (default Amsterdam)."),
    as_json: bool = JsonOption,
) -> None:
    """Service-desk KPIs, peaks, trends, recurring issues and KB gaps as HTML or JSON."""
    from triage.insight.clusters import ClusterParams
    from triage.insight.report import STAGES, ReportOptions, build_report

    if fmt not in ("html", "json"):
        raise fail(f"--format {fmt!r} unknown; use html or json")
    if out is None and as_json:
        raise fail("--json prints a summary on stdout: give the report a file with --out")
    if out is not None:  # before the tickets are read and clustered
        inputs = {"--data": data, "--kb": kb, "--model": model, "--config": config}
        check_file_out(out, inputs)
    start = time.perf_counter()
    settings = _config(config, timezone)
    options = ReportOptions(
        period=period,
        cluster_periods=cluster_periods,
        clusters=ClusterParams(max_tickets=max_cluster_tickets),
    )
    table = _table(data, mapping)
    articles = _articles(data, kb) if clusters else None
    encoder = _embedder(embedder) if clusters else None
    total = STAGES + (min(len(table), max_cluster_tickets) if clusters else 0)
    with progress_bar("Building the report", total=total) as advance:
        report = build_report(
            table,
            settings,
            options,
            embedder=encoder,
            articles=articles,
            source=str(data),
            classify=_classifier(model),
            progress=lambda _stage, n: advance(n),
        )
        _write(report, out, fmt)
    emit(_summary(report, out, fmt, time.perf_counter() - start), as_json)


def _embedder(spec: str) -> Any:
    from triage.embedding_cache import CachedEmbedder
    from triage.embeddings import load_embedder

    return CachedEmbedder(load_embedder(spec), CACHE)


def _summary(report: dict[str, Any], out: Path | None, fmt: str, seconds: float) -> dict[str, Any]:
    kpis = report["kpis"]
    return {
        "out": str(out) if out else None,
        "format": fmt,
        "tickets": report["meta"]["tickets"],
        "periods": len(report["periods"]),
        "unavailable": sorted(report["meta"]["unavailable"]),
        "resolution_median_h": kpis["resolution_time"].get("median_h"),
        "clusters": len(report["clusters"]["items"]),
        "kb_gaps": len(report["kb_gaps"]["items"]),
        "seconds": round(seconds, 2),
    }
