"""The MLflow pyfunc flavour of a bundle: score a DataFrame of tickets from `models:/...`."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.models import infer_signature
from mlflow.pyfunc.model import PythonModel
from mlflow.types.type_hints import TypeFromExample

from triage.schema import Channel, Ticket
from triage.triager import Triager

PIP_PACKAGES = ("mlflow", "scikit-learn", "numpy", "scipy", "pandas", "joblib", "pyarrow")


class TriagePyfunc(PythonModel):
    """MLflow pyfunc: a DataFrame with `subject`, `body` (+ `channel`, `language`) -> one row of
    `<target>`, `<target>_confidence`, `<target>_action` per ticket. Needs `triage` installed."""

    def __init__(self) -> None:
        super().__init__()
        self.triager: Triager | None = None

    def load_context(self, context: Any) -> None:
        self.load_context_from(Path(context.artifacts["bundle"]))

    def load_context_from(self, bundle: Path) -> None:
        """Load the classifiers of a bundle folder (scoring needs no retrieval index)."""
        self.triager = Triager.load(bundle)
        self.triager.retriever = None

    def predict(  # type: ignore[no-untyped-def]
        self, context, model_input: TypeFromExample, params=None
    ):
        """Score a DataFrame like the logged input example (schema checked by MLflow)."""
        assert self.triager is not None, "load_context first"
        records = model_input.to_dict("records")  # type: ignore[attr-defined]  # a DataFrame
        tickets = [_row_ticket(i, row) for i, row in enumerate(records)]
        return pd.DataFrame([_row(r.predictions) for r in self.triager.predict_many(tickets)])


def _row(predictions: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for target, p in predictions.items():
        row[target] = p.label
        row[f"{target}_confidence"] = p.confidence
        row[f"{target}_action"] = p.action.value
    return row


def _row_ticket(i: int, row: dict[str, Any]) -> Ticket:
    channel = row.get("channel")
    return Ticket(
        ticket_id=str(row.get("ticket_id") or f"row-{i}"),
        subject=str(row.get("subject") or ""),
        body=str(row.get("body") or ""),
        channel=Channel(str(channel)) if channel in Channel._value2member_map_ else None,
        language=row.get("language") or None,
    )


def input_example() -> pd.DataFrame:
    """One ticket as the pyfunc takes it (a list of strings fails MLflow's signature inference)."""
    ticket = {
        "subject": "VPN down",
        "body": "cannot connect to the vpn since this morning",
        "channel": "email",
        "language": "en",
    }
    return pd.DataFrame([ticket])


def log_pyfunc(bundle: Path) -> str:
    """Log `bundle` as a pyfunc model of the active run; returns its model URI.

    Requirements are pinned explicitly: inferring them takes ~10 s and records `torch+cpu`.
    """
    example = input_example()
    model = TriagePyfunc()
    model.load_context_from(bundle)
    info = mlflow.pyfunc.log_model(
        name="model",
        python_model=TriagePyfunc(),
        artifacts={"bundle": str(bundle)},
        signature=infer_signature(example, model.predict(None, example)),
        input_example=example,
        pip_requirements=[f"{n}=={metadata.version(n)}" for n in PIP_PACKAGES],
    )
    return str(info.model_uri)
