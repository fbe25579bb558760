"""One JSON line per benchmark result: printed, and appended to `--out` when given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def emit_line(line: dict[str, Any], out: Path | None) -> None:
    """Print `line` as JSON and append it to `out` (JSON lines), if set."""
    text = json.dumps(line)
    print(text, flush=True)
    if out:
        with out.open("a") as handle:
            handle.write(text + "\n")


def emit_report(report: dict[str, Any], out: Path | None) -> None:
    """Print `report` as indented JSON and write it to `out`, if set."""
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if out:
        out.write_text(text)
