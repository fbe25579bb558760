"""`triage train|evaluate|promote|rollback|export`: the model life cycle from the command line.

The pipeline, promotion and evaluation modules are imported inside the commands: they bring
MLflow (~3 s) and scikit-learn (~0.7 s), which `triage --help` and the other commands never need.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import typer

from training.cli.apps import app
from training.cli.common import (
    EXIT_GATE_FAILED,
    JsonOption,
    emit,
    handle_errors,
    load_tickets,
    local_paths,
    progress_bar,
    stderr,
)
from training.config import TrainConfig, load_config
from triage.dataset import ARTICLES_FILE, read_articles
from triage.errors import DataError
from triage.outputs import BUNDLE, check_file_out, check_folder_out
from triage.schema import Ticket
from triage.triager import Triager

DEFAULT_CONFIG = Path("training/configs/default.yaml")
ConfigOption = typer.Option(DEFAULT_CONFIG, "--config", "-c", help="Training config (YAML).")
DataOption = typer.Option(
    ..., "--data", "-d", help="Tickets: normalised Parquet, or an export with --mapping."
)
MappingOption = typer.Option(None, "--mapping", "-m", help="Column mapping for a raw export.")
UriOption = typer.Option(
    None, "--tracking-uri", help="Override tracking.tracking_uri of the config."
)


def _articles_next_to(data: Path) -> list[Any]:
    """KB articles in `kb_articles.parquet` beside the tickets file, if there are any."""
    path = data.parent / ARTICLES_FILE
    return read_articles(path) if path.is_file() else []


def _config(path: Path, tracking_uri: str | None) -> TrainConfig:
    config = load_config(path)
    if tracking_uri:
        tracking = config.tracking.model_copy(update={"tracking_uri": tracking_uri})
        config = config.model_copy(update={"tracking": tracking})
    return config


@app.command()
@handle_errors
def train(
    config: Path = ConfigOption,
    data: Path = DataOption,
    mapping: str | None = MappingOption,
    tracking_uri: str | None = UriOption,
    as_json: bool = JsonOption,
) -> None:
    """Train, evaluate, log to MLflow and register a version as @challenger."""
    from training.pipeline import run_training

    cfg = _config(config, tracking_uri)
    tickets = load_tickets(data, mapping)
    with progress_bar("training", total=None, enabled=not as_json) as advance:
        run = run_training(
            cfg,
            tickets,
            progress=lambda step: advance(1),
            data_source=str(data),
            articles=_articles_next_to(data),
        )
    emit(run.summary(), as_json)


@app.command()
@handle_errors
def evaluate(
    model: str = typer.Option(..., "--model", help="Bundle folder or models:/<name>@<alias>."),
    data: Path = DataOption,
    mapping: str | None = MappingOption,
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the full JSON report here."),
    config: Path = ConfigOption,
    tracking_uri: str | None = UriOption,
    as_json: bool = JsonOption,
) -> None:
    """Evaluate any bundle on any labelled file: accuracy, macro-F1, ECE, and per target and
    class the auto coverage and auto precision with its Wilson 95% interval, as served; next to
    the bundle's in-run baseline on the same tickets, with the difference and its paired 95%
    bootstrap interval.

    Exit 1 when a target, or a class with enough auto predictions, misses the target precision
    with 95% confidence (`broken_promises`); `promise: below_target` flags a point estimate
    below the target whose interval still holds it.
    """
    from training.baseline import bundle_baseline_scores
    from training.evaluate import broken_promises, evaluate_triager, summary, write_report

    if out is not None:  # before the model is fetched and the tickets are scored
        check_file_out(out, local_paths({"--data": data, "--model": model}))
    tickets = load_tickets(data, mapping)
    with tempfile.TemporaryDirectory() as tmp:
        bundle = _bundle_path(model, Path(tmp), config, tracking_uri)
        triager = Triager.load(bundle)
        _require_labels(data, tickets, triager.targets)
        predicted: dict[str, list[str]] = {}
        report = evaluate_triager(triager, tickets, predicted)
        report["baselines"] = bundle_baseline_scores(bundle, triager.manifest, tickets, predicted)
    if out is not None:
        write_report(report, out)
    broken = broken_promises(report)
    emit(
        {
            "model_version": report["model_version"],
            "n_tickets": len(tickets),
            **summary(report),
            "baselines": report["baselines"],
            "broken_promises": broken,
        },
        as_json,
    )
    if broken:
        stderr().print(f"[bold red]auto precision below the target:[/] {', '.join(broken)}")
        raise typer.Exit(EXIT_GATE_FAILED)


@app.command()
@handle_errors
def predict(
    text: str = typer.Argument(..., help="The ticket text (subject and body)."),
    model: str = typer.Option("models/default", "--model", help="Bundle folder."),
    as_json: bool = JsonOption,
) -> None:
    """Triage one ticket with a bundle: per target label, confidence, action and, when the
    action is not `auto`, why (no similar tickets or KB articles: see `triage similar`)."""
    result = Triager.load(Path(model)).predict(
        Ticket(ticket_id="cli", body=text), k_similar=0, k_kb=0
    )
    emit({t: _prediction(p) for t, p in result.predictions.items()}, as_json)


def _prediction(p: Any) -> dict[str, Any]:
    return {
        "label": p.label,
        "confidence": round(p.confidence, 4),
        "action": p.action.value,
        "reason": p.reason,
        "alternatives": {a.label: round(a.confidence, 4) for a in p.alternatives},
    }


def _bundle_path(model: str, tmp: Path, config: Path, tracking_uri: str | None) -> Path:
    if not model.startswith("models:/"):
        return Path(model)
    from training.tracking import fetch_bundle, parse_model_uri, registry

    name, alias, version = parse_model_uri(model)
    client = registry(_config(config, tracking_uri))
    return fetch_bundle(client, name, tmp, alias=alias, version=version)[1]


@app.command()
@handle_errors
def promote(
    config: Path = ConfigOption,
    eval_data: Path | None = typer.Option(
        None,
        "--eval-data",
        help="Frozen eval set (normalised Parquet); default: the challenger run's test split.",
    ),
    force: bool = typer.Option(False, "--force", help="Promote even if the gate fails (recorded)."),
    tracking_uri: str | None = UriOption,
    as_json: bool = JsonOption,
) -> None:
    """Move @champion to @challenger unless a target drops more than the tolerance (else exit 1)."""
    from training.promote import promote as do_promote

    result = do_promote(_config(config, tracking_uri), eval_data=eval_data, force=force)
    emit(result, as_json)
    if not result["promoted"]:
        raise typer.Exit(EXIT_GATE_FAILED)


@app.command()
@handle_errors
def rollback(
    config: Path = ConfigOption,
    to: str | None = typer.Option(
        None, "--to", help="Version to make champion (default: the previous one)."
    ),
    tracking_uri: str | None = UriOption,
    as_json: bool = JsonOption,
) -> None:
    """Move @champion back to the version it replaced."""
    from training.promote import rollback as do_rollback

    emit(do_rollback(_config(config, tracking_uri), to_version=to), as_json)


@app.command()
@handle_errors
def export(
    config: Path = ConfigOption,
    out: Path = typer.Option(Path("models/default"), "--out", "-o", help="Bundle folder to write."),
    alias: str = typer.Option("champion", "--alias", help="Registry alias to export."),
    version: str | None = typer.Option(
        None, "--version", help="Export this version instead of the alias."
    ),
    tracking_uri: str | None = UriOption,
    as_json: bool = JsonOption,
) -> None:
    """Write a registered model as a self-describing bundle (manifest + checksums) under models/."""
    from training.promote import export as do_export

    check_folder_out(out, BUNDLE)
    emit(do_export(_config(config, tracking_uri), out, alias=alias, version=version), as_json)


def _require_labels(data: Path, tickets: list[Ticket], targets: tuple[str, ...]) -> None:
    """`DataError` when no ticket has a label for any target: every metric would be 0.0 of 0
    tickets, and an evaluation that measured nothing must not pass."""
    if not any(getattr(t, target) is not None for t in tickets for target in targets):
        raise DataError(
            f"{data}: no ticket has a label for {', '.join(targets)}; evaluate needs labelled "
            "tickets (score unlabelled ones with `triage score`)"
        )
