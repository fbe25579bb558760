"""The `triage` command line: one Typer app whose sub-commands live in sibling modules."""

from training.cli import data as _data  # noqa: F401  (`triage data validate|import`)
from training.cli import erase as _erase  # noqa: F401  (`privacy erase|audit`)
from training.cli import generate as _generate  # noqa: F401  (`triage data generate`)
from training.cli import index as _index  # noqa: F401  (`index`, `similar`, `kb`, `embedder`)
from training.cli import insight as _insight  # noqa: F401  (`report kpi`)
from training.cli import model as _model  # noqa: F401  (`train`, `evaluate`, `promote`, ...)
from training.cli import privacy as _privacy  # noqa: F401  (`privacy redact`)
from training.cli import score as _score  # noqa: F401  (`score`, `index backfill`)
from training.cli import service as _service  # noqa: F401  (`serve`, `keys`, `feedback`, `report`)
from training.cli.apps import app

__all__ = ["app"]
