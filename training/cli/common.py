"""Shared CLI plumbing: JSON summaries, clear errors with exit codes, progress bars, logging."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from triage import ingest
from triage.dataset import read_tickets
from triage.errors import TriageError
from triage.schema import Ticket

EXIT_GATE_FAILED = 1
EXIT_USAGE = 2

P = ParamSpec("P")
R = TypeVar("R")

JsonOption = typer.Option(False, "--json", help="Print a machine-readable JSON summary on stdout.")


def stderr() -> Console:
    """Console on stderr, so stdout stays clean for JSON."""
    return Console(stderr=True)


def emit(summary: dict[str, Any], as_json: bool, human: str | None = None) -> None:
    """Print the command's result: JSON on stdout, or a human line on stderr."""
    if as_json:
        sys.stdout.write(json.dumps(summary, default=str, indent=2) + "\n")
    else:
        stderr().print(human if human is not None else _human(summary))


def _human(summary: dict[str, Any]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in summary.items())


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print an error (no stack trace) and return the Exit to raise."""
    stderr().print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the library's typed errors into a one-line message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        configure_logging()
        try:
            return func(*args, **kwargs)
        except TriageError as exc:
            raise fail(str(exc)) from None
        except FileNotFoundError as exc:
            raise fail(f"{exc.filename}: no such file") from None
        except (IsADirectoryError, NotADirectoryError, FileExistsError, PermissionError) as exc:
            # a path the up-front checks could not foresee (changed meanwhile): no stack trace
            raise fail(f"{exc.filename}: {exc.strerror}; check the path and try again") from None

    return wrapper


def local_paths(inputs: Mapping[str, Path | str | None]) -> dict[str, Path | None]:
    """The inputs that name something on disk (an option such as --model or --mapping may
    also take a registry URI or a preset name), as paths, for `triage.outputs.check_apart`."""
    return {k: Path(v) if v is not None and Path(v).exists() else None for k, v in inputs.items()}


def configure_logging(level: int = logging.WARNING) -> None:
    """Log to stderr once per process (entry point only)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@contextmanager
def progress_bar(
    description: str, total: int | None, enabled: bool = True
) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields `advance(n)`. Silent when disabled or not a TTY."""
    if not enabled:
        yield lambda n: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr(), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def load_tickets(data: Path, mapping: str | None) -> list[Ticket]:
    """Tickets from a normalised Parquet file, or from any export through a column mapping.

    Without near-duplicate flagging: its counts only go to the import report, which commands
    that read tickets do not keep (`triage data import` does, and `triage index build` reads
    them itself); on the 48k export it cost a few seconds of every `triage train`. Rejected
    rows are counted on stderr (`say_rejections`), never dropped unsaid."""
    if mapping is None:
        return read_tickets(data)
    spec = dataclasses.replace(ingest.load_mapping(mapping), near_duplicates=None)
    loaded = ingest.read_tickets(data, spec)
    say_rejections(loaded.report)
    return list(loaded.tickets)


def say_rejections(report: ingest.IngestReport) -> None:
    """One line on stderr for the rows an import rejected ("import: FILE: read 60, accepted 56,
    rejected 4; first: line 3 (missing_id) ..."), nothing when it rejected none. Commands that
    read an export through a mapping call it, so a count such as `n_tickets: 56` is never the
    only sign that rows were left out; `triage data validate` lists every one."""
    if not report.rejected:
        return
    note = (
        f"import: {report.source}: read {report.read:,}, accepted {report.accepted:,}, "
        f"rejected {report.rejected:,}"
    )
    if report.errors:
        first = report.errors[0]
        where = f"{first.field}: " if first.field else ""
        note += f"; first: line {first.line} ({first.code}) {where}{first.reason}"
    stderr().print(note + "; `triage data validate` lists them all", highlight=False, markup=False)


def redacted(tickets: list[Ticket]) -> list[Ticket]:
    """The tickets with personal data replaced and requesters pseudonymised (default settings,
    the deployment secret in `.triage/privacy-secret`), before an index sees them."""
    from triage.privacy.guard import TicketPrivacy

    return TicketPrivacy.from_section({}).tickets(tickets)
