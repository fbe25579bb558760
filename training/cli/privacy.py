"""`triage privacy redact`: try the redaction a deployment's settings give on a text or file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from training.cli.apps import privacy_app
from training.cli.common import JsonOption, emit, fail, handle_errors
from triage.privacy.config import Names, RedactionConfig, load_config
from triage.privacy.redactor import Redaction, Redactor
from triage.privacy.spans import Kind


@privacy_app.command("redact")
@handle_errors
def redact_command(
    text: str | None = typer.Argument(None, help="Text to redact (or use --file)."),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="Redact this UTF-8 text file ('-' reads standard input)."
    ),
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        help="Deployment settings (YAML: kinds, style, region, names, allow).",
    ),
    names: Names | None = typer.Option(None, "--names", help="Unknown names: off or context."),
    hosts: bool = typer.Option(False, "--hosts", help="Also redact host names (srv-fin-07)."),
    region: str | None = typer.Option(None, "--region", help="Phone region (default NL)."),
    requester: list[str] = typer.Option(
        [], "--requester", "-r", help="A known person's name to remove (repeatable)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Print TEXT (or the file) with personal data replaced by <EMAIL>, <PHONE>, <IBAN>, ...;
    with --json, also what was replaced where (character offsets in the input)."""
    source = _read(text, file)
    settings = _settings(config, names, hosts, region)
    result = Redactor(settings).redact(source, known_names=requester)
    if as_json:
        emit(_summary(source, result, settings), as_json=True)
        return
    sys.stdout.write(result.text + ("" if result.text.endswith("\n") else "\n"))
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items())) or "nothing"
    emit({}, as_json=False, human=f"redacted: {counts}")


def _read(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        raise fail("give either TEXT or --file, e.g. `triage privacy redact 'bel 06-12345678'`")
    if file is None:
        return text or ""
    if str(file) == "-":
        return sys.stdin.read()
    if file.is_dir():
        raise fail(f"--file {file}: a folder; give a UTF-8 text file (or '-' for standard input)")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise fail(f"{file}: not UTF-8 text; convert it first (e.g. iconv -t utf-8)") from None


def _settings(
    config: Path | None, names: Names | None, hosts: bool, region: str | None
) -> RedactionConfig:
    base = load_config(config) if config is not None else RedactionConfig()
    summary: dict[str, Any] = base.summary()
    if names is not None:
        summary["names"] = str(names)
    if hosts:
        summary["kinds"] = sorted({*summary["kinds"], str(Kind.HOST)})
    if region is not None:
        summary["region"] = region.upper()
    return RedactionConfig.from_mapping(summary)


def _summary(source: str, result: Redaction, settings: RedactionConfig) -> dict[str, Any]:
    return {
        "text": result.text,
        "counts": result.counts,
        "spans": [{"kind": str(s.kind), "start": s.start, "end": s.end} for s in result.spans],
        "characters": len(source),
        "settings": settings.summary(),
    }
