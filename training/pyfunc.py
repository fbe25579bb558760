"""The MLflow pyfunc flavour of a bundle: score a DataFrame of tickets from `models:/...`."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.models import ModelSignature
from mlflow.pyfunc.model import PythonModel
from mlflow.types.schema import Array, ColSpec, ParamSchema, ParamSpec, Schema, TensorSpec
from mlflow.types.type_hints import TypeFromExample

from training.scoring import DEFAULT_K_SIMILAR, score_frame
from triage.bundle import verify_bundle
from triage.triager import Triager

PIP_PACKAGES = ("mlflow", "scikit-learn", "numpy", "scipy", "pandas", "joblib", "pyarrow")
OPTIONAL_INPUTS = ("ticket_id", "channel", "language")
"""May be absent or null: `ticket_id` keeps a ticket out of its own similar tickets, a missing
channel or language is "unknown" to the classifiers."""


class TriagePyfunc(PythonModel):
    """MLflow pyfunc: a DataFrame with `subject`, `body` (+ optional `ticket_id`, `channel`,
    `language`) -> one row of `<target>`, `<target>_confidence`, `<target>_action` per target
    and `similar_ids` (up to `params["k_similar"]` solved ticket ids, best first; empty when the
    bundle has no index). Needs `triage` installed."""

    def __init__(self) -> None:
        super().__init__()
        self.triager: Triager | None = None

    def load_context(self, context: Any) -> None:
        self.load_context_from(Path(context.artifacts["bundle"]))

    def load_context_from(self, bundle: Path) -> None:
        """Load a bundle folder: the classifiers and, when it has one, the retrieval index."""
        self.triager = Triager.load(bundle)

    def predict(  # type: ignore[no-untyped-def]
        self, context, model_input: TypeFromExample, params=None
    ):
        """Score a DataFrame (columns checked by MLflow against the signature)."""
        assert self.triager is not None, "load_context first"
        k_similar = int((params or {}).get("k_similar", DEFAULT_K_SIMILAR))
        return score_frame(self.triager, model_input, k_similar)


def input_example() -> pd.DataFrame:
    """One ticket as the pyfunc takes it (a list of strings fails MLflow's signature inference)."""
    ticket = {
        "subject": "VPN down",
        "body": "cannot connect to the vpn since this morning",
        "channel": "email",
        "language": "en",
    }
    return pd.DataFrame([ticket])


def signature(targets: list[str]) -> ModelSignature:
    """Inputs `subject`, `body` required and `OPTIONAL_INPUTS` optional; the outputs of
    `training.scoring.score_frame`; the parameter `k_similar`."""
    inputs: list[ColSpec | TensorSpec] = [ColSpec("string", "subject"), ColSpec("string", "body")]
    inputs += [ColSpec("string", name, required=False) for name in OPTIONAL_INPUTS]
    outputs: list[ColSpec | TensorSpec] = []
    for target in targets:
        outputs += [
            ColSpec("string", target),
            ColSpec("double", f"{target}_confidence"),
            ColSpec("string", f"{target}_action"),
        ]
    outputs.append(ColSpec(Array("string"), "similar_ids"))
    params = ParamSchema([ParamSpec("k_similar", "long", DEFAULT_K_SIMILAR)])
    return ModelSignature(inputs=Schema(inputs), outputs=Schema(outputs), params=params)


def _model_kwargs(bundle: Path) -> dict[str, Any]:
    """What `log_model` and `save_model` share. Requirements are pinned explicitly: inferring
    them takes ~10 s and records `torch+cpu`."""
    # the targets from the manifest: MLflow loads the logged copy and scores the input example
    # itself (validating it), a load here too cost a second full bundle load
    targets = [str(t) for t in verify_bundle(bundle)["targets"]]
    return {
        "python_model": TriagePyfunc(),
        "artifacts": {"bundle": str(bundle)},
        "signature": signature(targets),
        "input_example": input_example(),
        "pip_requirements": [f"{n}=={metadata.version(n)}" for n in PIP_PACKAGES],
    }


def log_pyfunc(bundle: Path) -> str:
    """Log `bundle` as a pyfunc model of the active run; returns its model URI."""
    info = mlflow.pyfunc.log_model(name="model", **_model_kwargs(bundle))
    return str(info.model_uri)


def save_pyfunc(bundle: Path, path: Path) -> Path:
    """Save `bundle` as a pyfunc model folder at `path` (no tracking store): what the Spark
    engine loads for `triage score --bundle DIR`."""
    mlflow.pyfunc.save_model(path=str(path), **_model_kwargs(bundle))
    return path
