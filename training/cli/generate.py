"""`triage data generate`: the embedded default, realistic sample helpdesk history."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from training.cli.apps import data_app
from training.cli.common import JsonOption, emit, handle_errors, progress_bar
from triage.dataset import (
    ARTICLES_FILE,
    TICKETS_FILE,
    not_articles_file,
    not_tickets_file,
)
from triage.outputs import check_folder_into
from triage.sample import generate, write_sample


@data_app.command("generate")
@handle_errors
def generate_command(
    tickets: int = typer.Option(20_000, "--tickets", help="Number of tickets to generate."),
    seed: int = typer.Option(
        42, "--seed", help="Random seed; the same seed gives identical files."
    ),
    out: Path = typer.Option(
        Path("data/sample"), "--out", help="Output folder (created if missing)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Generate a year of realistic helpdesk tickets (nl/en) and KB articles as Parquet."""
    check_folder_into(
        out,
        {},
        (TICKETS_FILE, ARTICLES_FILE),
        replaceable={TICKETS_FILE: not_tickets_file, ARTICLES_FILE: not_articles_file},
    )
    start = time.perf_counter()
    with progress_bar("Generating tickets", total=tickets) as advance:
        data = generate(tickets, seed, progress=advance)
    paths = write_sample(data, out)
    summary = {
        **data.summary(),
        "out": str(out),
        "files": {k: str(p) for k, p in paths.items()},
        "seconds": round(time.perf_counter() - start, 2),
    }
    emit(
        summary,
        as_json,
        human=f"wrote {len(data.tickets):,} tickets and "
        f"{len(data.articles)} KB articles to {out} "
        f"in {summary['seconds']} s",
    )
