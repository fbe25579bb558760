"""The Typer apps that command modules register on (kept apart to avoid import cycles).

Top-level commands (`similar`, `train`, `evaluate`, `promote`, `rollback`, `export`, `serve`)
register on `app`; groups on their own sub-app.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="triage",
    help="ML-assisted IT helpdesk ticket triage: data, training, retrieval and the service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Generate, validate and import ticket data.", no_args_is_help=True)
index_app = typer.Typer(help="Build and maintain similar-ticket indexes.", no_args_is_help=True)
kb_app = typer.Typer(help="Knowledge-base articles.", no_args_is_help=True)
embedder_app = typer.Typer(
    help="Embedding models (export the ONNX int8 backend).", no_args_is_help=True
)
keys_app = typer.Typer(help="API keys for the service.", no_args_is_help=True)
feedback_app = typer.Typer(help="Agent feedback collected by the service.", no_args_is_help=True)
privacy_app = typer.Typer(
    help="Personal data: try redaction; erase a person's tickets; the erasure audit.",
    no_args_is_help=True,
)
report_app = typer.Typer(
    help="Reports: production behaviour, helpdesk KPIs and insight.", no_args_is_help=True
)

app.add_typer(data_app, name="data")
app.add_typer(index_app, name="index")
app.add_typer(kb_app, name="kb")
app.add_typer(embedder_app, name="embedder")
app.add_typer(keys_app, name="keys")
app.add_typer(feedback_app, name="feedback")
app.add_typer(report_app, name="report")
app.add_typer(privacy_app, name="privacy")
