"""`triage data validate|import`: read any export through a mapping onto the ticket model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from training.cli.apps import data_app
from training.cli.common import JsonOption, emit, handle_errors, progress_bar
from triage.dataset import TICKETS_FILE, not_tickets_file
from triage.ingest import IngestReport, import_file, load_mapping, validate_file
from triage.ingest.pipeline import REJECTS_FILE, REPORT_FILE
from triage.outputs import check_file_out, check_folder_into

SHOWN_REJECTS = 10

FileArg = typer.Argument(..., help="The export: CSV, JSON Lines, JSON array or Parquet.")
MappingOption = typer.Option(
    ...,
    "--mapping",
    "-m",
    help="A preset (triage, it_service_tickets_48k, hadoop_bugs, "
    "support_tickets_synthetic) or a mapping YAML file (see data/mappings/README.md).",
)
StrictOption = typer.Option(False, "--strict", help="Fail (exit 2) on the first bad row.")


def _human(report: IngestReport, extra: str = "") -> str:
    lines = [report.summary()]
    for error in report.errors[:SHOWN_REJECTS]:
        lines.append(f"  line {error.line}: {error.code}: {error.reason}")
    if report.rejected > SHOWN_REJECTS:
        lines.append(f"  ... {report.rejected - SHOWN_REJECTS:,} more rejected rows")
    return escape("\n".join(lines + ([extra] if extra else [])))


@data_app.command("validate")
@handle_errors
def validate(
    file: Path = FileArg,
    mapping: str = MappingOption,
    strict: bool = StrictOption,
    report: Path | None = typer.Option(None, "--report", help="Write the full JSON report here."),
    as_json: bool = JsonOption,
) -> None:
    """Check an export against a mapping without writing a dataset: counts and rejected rows."""
    if report is not None:
        check_file_out(report, {"FILE": file}, label="--report")
    spec = load_mapping(mapping)
    with progress_bar("validating", total=None, enabled=not as_json) as advance:
        result = validate_file(file, spec, strict=strict, progress=advance)
    summary: dict[str, Any] = result.to_dict()
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    emit(summary, as_json, _human(result, f"report: {report}" if report else ""))


@data_app.command("import")
@handle_errors
def import_(
    file: Path = FileArg,
    mapping: str = MappingOption,
    out: Path = typer.Option(
        ...,
        "--out",
        "-o",
        help="Output folder (tickets.parquet, rejects.jsonl, import_report.json).",
    ),
    strict: bool = StrictOption,
    redact: bool = typer.Option(
        False,
        "--redact",
        help="Write tickets (and rejected rows) redacted, requesters as pseudonyms "
        "(training redacts anyway; this is for a dataset that leaves the ticket system).",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Import an export into the normalised dataset (Parquet), reporting every rejected row."""
    from triage.privacy.guard import TicketPrivacy

    check_folder_into(
        out,
        {"FILE": file},
        (TICKETS_FILE, REJECTS_FILE, REPORT_FILE),
        replaceable={TICKETS_FILE: not_tickets_file},
    )
    spec = load_mapping(mapping)
    privacy = TicketPrivacy.from_section({}) if redact else None
    with progress_bar("importing", total=None, enabled=not as_json) as advance:
        result = import_file(file, spec, out, strict=strict, progress=advance, privacy=privacy)
    emit(result.to_dict(), as_json, _human(result, f"written to {out}/"))
