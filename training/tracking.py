"""MLflow tracking and registry: the only module that imports mlflow.

Default store: `sqlite:///<root>/mlruns/mlflow.db` with artifacts in `<root>/mlruns/artifacts`
(root = the current folder, i.e. the repository for `make run`).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature
from mlflow.pyfunc.model import PythonModel
from mlflow.types.type_hints import TypeFromExample

from training.config import TrainConfig, dump_config
from training.train import (
    Progress,
    TrainResult,
    build_bundle,
    embedder_info,
    make_embedder,
    train,
)
from triage.embeddings import Embedder
from triage.errors import NotFoundError, TriageError
from triage.schema import Ticket

logger = logging.getLogger(__name__)

CHALLENGER = "challenger"
CHAMPION = "champion"
BUNDLE_ARTIFACT = "bundle"
EVAL_ARTIFACT = "eval/test_tickets.parquet"


class TrackingError(TriageError):
    """The MLflow tracking server or store cannot be reached or used."""


def default_tracking_uri(root: Path | None = None) -> str:
    """`sqlite:///<root>/mlruns/mlflow.db` (root defaults to the current folder)."""
    folder = (Path(root) if root else Path.cwd()).resolve() / "mlruns"
    return f"sqlite:///{folder / 'mlflow.db'}"


def resolve_uri(uri: str | None, root: Path | None = None) -> str:
    return uri or default_tracking_uri(root)


def _artifact_root(uri: str) -> str | None:
    if uri.startswith("sqlite:///"):
        return (Path(uri.removeprefix("sqlite:///")).parent / "artifacts").as_uri()
    return None


def check_reachable(uri: str, timeout_s: float = 3.0) -> None:
    """`TrackingError` when an http(s) tracking server does not answer; create sqlite folders."""
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        return
    if not uri.startswith(("http://", "https://")):
        return
    try:
        urllib.request.urlopen(f"{uri.rstrip('/')}/health", timeout=timeout_s).close()
    except (urllib.error.URLError, OSError) as exc:
        raise TrackingError(
            f"MLflow tracking server {uri} is unreachable ({getattr(exc, 'reason', exc)}); "
            "start it "
            "(`mlflow server`) or set tracking.tracking_uri (unset = local sqlite store)"
        ) from None


def _client(uri: str) -> Any:
    check_reachable(uri)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _experiment_id(client: Any, name: str, uri: str) -> str:
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return str(experiment.experiment_id)
    return str(client.create_experiment(name, artifact_location=_artifact_root(uri)))


@dataclass(frozen=True)
class TrackedRun:
    """What `triage train` reports: the MLflow run, the registered version, the local bundle."""

    run_id: str
    model_name: str
    model_version: str
    bundle_path: Path
    result: TrainResult

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "model_name": self.model_name,
            "model_version": self.model_version,
            "alias": CHALLENGER,
            "bundle_path": str(self.bundle_path),
            "split": {"method": self.result.split_method, **self.result.split_sizes},
            "skipped_targets": self.result.skipped,
            "metrics": {
                k: round(v, 4)
                for k, v in self.result.summary_metrics().items()
                if ".baseline" not in k and "consistency" not in k
            },
            "baselines": self.result.baseline_summary(),
            "timings_s": self.result.timings,
        }


def run_training(
    config: TrainConfig,
    tickets: Sequence[Ticket],
    *,
    embedder: Embedder | None = None,
    root: Path | None = None,
    bundle_dir: Path | None = None,
    progress: Progress | None = None,
    data_source: str | None = None,
    articles: Sequence[Any] = (),
) -> TrackedRun:
    """Train, log everything to MLflow, register a version with alias `challenger`.

    The bundle is written to `bundle_dir` (default `<root>/models/runs/<run id>`) and logged too.
    """
    uri = resolve_uri(config.tracking.tracking_uri, root)
    client = _client(uri)
    experiment_id = _experiment_id(client, config.tracking.experiment, uri)
    with mlflow.start_run(experiment_id=experiment_id) as run:
        run_id = run.info.run_id
        _log_inputs(config, data_source)
        result = train(config, tickets, embedder=embedder, progress=progress)
        if progress:
            progress("retrieval index")
        _attach_retriever(result, tickets, articles, embedder)
        _log_result(result)
        out = (
            Path(bundle_dir)
            if bundle_dir
            else (Path(root) if root else Path.cwd()) / "models" / "runs" / run_id
        )
        bundle = build_bundle(result, out, version=f"{config.tracking.model_name}-run-{run_id[:8]}")
        mlflow.log_artifacts(str(bundle), BUNDLE_ARTIFACT)
        _log_eval_set(result.test_tickets)
        version = _log_and_register(client, config, bundle, result, run_id, progress)
    return TrackedRun(run_id, config.tracking.model_name, version, bundle, result)


def _attach_retriever(
    result: TrainResult,
    tickets: Sequence[Ticket],
    articles: Sequence[Any],
    embedder: Embedder | None = None,
) -> None:
    """Build the similar-ticket index into the bundle when `triage.retrieval` exists (thin seam)."""
    if not result.config.retrieval:
        return
    try:
        from triage.retrieval import Retriever
    except ImportError:
        logger.info("triage.retrieval not installed: bundle without similar tickets")
        return
    emb = result.embedder_object or make_embedder(result.config, embedder, needed=True)
    if emb is None:
        return
    result.embedder = result.embedder or embedder_info(result.config, emb)
    try:
        result.retriever = Retriever.build(list(tickets), list(articles), emb)
    except Exception as exc:  # the seam to another package: a broken index must not lose the model
        result.retrieval_error = f"{type(exc).__name__}: {exc}"
        logger.warning(
            "bundle without similar tickets, the retrieval index failed: %s", result.retrieval_error
        )


def _log_inputs(config: TrainConfig, data_source: str | None) -> None:
    mlflow.log_params(config.flat_params())
    mlflow.log_text(dump_config(config), "config.yaml")
    if data_source:
        mlflow.set_tag("data_source", data_source)


def _log_result(result: TrainResult) -> None:
    from training.plots import all_plots

    mlflow.log_param("data_fingerprint", result.data_fingerprint)
    mlflow.log_param("split_method", result.split_method)
    mlflow.log_metrics({f"split.{k}": float(v) for k, v in result.split_sizes.items()})
    mlflow.log_metrics({_metric_key(k): v for k, v in result.summary_metrics().items() if v == v})
    mlflow.log_metrics({f"time.{k}": v for k, v in result.timings.items()})
    mlflow.log_dict(_jsonable(result.metrics), "metrics/report.json")
    if result.skipped:
        mlflow.log_dict(result.skipped, "metrics/skipped_targets.json")
    with tempfile.TemporaryDirectory() as tmp:
        all_plots(result.metrics, result.curves, result.config.policy.target_precision, Path(tmp))
        mlflow.log_artifacts(tmp, "plots")


def _metric_key(key: str) -> str:
    return key.replace("->", "_to_")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: getattr(v, "tolist", lambda: str(v))()))


def _log_eval_set(tickets: Sequence[Ticket]) -> None:
    from triage.dataset import write_tickets

    with tempfile.TemporaryDirectory() as tmp:
        path = write_tickets(tickets, Path(tmp) / "test_tickets.parquet")
        mlflow.log_artifact(str(path), "eval")


def _input_example() -> Any:
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "subject": "VPN down",
                "body": "cannot connect to the vpn since this morning",
                "channel": "email",
                "language": "en",
            }
        ]
    )


def _pip_requirements() -> list[str]:
    from importlib import metadata

    names = ("mlflow", "scikit-learn", "numpy", "scipy", "pandas", "joblib", "pyarrow")
    return [f"{n}=={metadata.version(n)}" for n in names]


def _log_and_register(
    client: Any,
    config: TrainConfig,
    bundle: Path,
    result: TrainResult,
    run_id: str,
    progress: Progress | None,
) -> str:
    name = config.tracking.model_name
    if config.tracking.log_pyfunc:
        if progress:
            progress("log model")
        example = _input_example()
        model = TriagePyfunc()
        model.load_context_from(bundle)
        signature = infer_signature(example, model.predict(None, example))
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=TriagePyfunc(),
            artifacts={"bundle": str(bundle)},
            signature=signature,
            input_example=example,
            pip_requirements=_pip_requirements(),
        )
        source = info.model_uri
    else:
        source = f"runs:/{run_id}/{BUNDLE_ARTIFACT}"
    version = mlflow.register_model(source, name, tags={"run_id": run_id})
    client.set_registered_model_alias(name, CHALLENGER, version.version)
    logger.info("registered %s version %s as @%s", name, version.version, CHALLENGER)
    return str(version.version)


class TriagePyfunc(PythonModel):
    """MLflow pyfunc: a DataFrame with `subject`, `body` (+ `channel`, `language`) -> one row of
    `<target>`, `<target>_confidence`, `<target>_action` per ticket. Needs `triage` installed."""

    def __init__(self) -> None:
        super().__init__()
        self.triager: Any = None

    def load_context(self, context: Any) -> None:
        self.load_context_from(Path(context.artifacts["bundle"]))

    def load_context_from(self, bundle: Path) -> None:
        from triage.triager import Triager

        self.triager = Triager.load(bundle)
        self.triager.retriever = None  # scoring needs the classifiers only

    def predict(  # type: ignore[no-untyped-def]
        self, context, model_input: TypeFromExample, params=None
    ):
        """Score a DataFrame like the logged input example (schema checked by MLflow)."""
        import pandas as pd

        records = model_input.to_dict("records")  # type: ignore[attr-defined]  # a DataFrame
        tickets = [_row_ticket(i, row) for i, row in enumerate(records)]
        rows = []
        for result in self.triager.predict_many(tickets):
            row: dict[str, Any] = {}
            for target, p in result.predictions.items():
                row.update(
                    {
                        target: p.label,
                        f"{target}_confidence": p.confidence,
                        f"{target}_action": p.action.value,
                    }
                )
            rows.append(row)
        return pd.DataFrame(rows)


def _row_ticket(i: int, row: dict[str, Any]) -> Ticket:
    from triage.schema import Channel

    channel = row.get("channel")
    return Ticket(
        ticket_id=str(row.get("ticket_id") or f"row-{i}"),
        subject=str(row.get("subject") or ""),
        body=str(row.get("body") or ""),
        channel=Channel(str(channel)) if channel in Channel._value2member_map_ else None,
        language=row.get("language") or None,
    )


# --- registry operations used by promote / rollback / export -------------------------------------


def registry(config: TrainConfig, root: Path | None = None) -> Any:
    """An MlflowClient on the configured (or default) store."""
    return _client(resolve_uri(config.tracking.tracking_uri, root))


def version_for_alias(client: Any, name: str, alias: str) -> Any | None:
    """The model version behind `name@alias`, or None when the alias is not set."""
    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


def get_version(client: Any, name: str, version: str) -> Any:
    try:
        return client.get_model_version(name, version)
    except MlflowException as exc:
        raise NotFoundError(
            f"model {name} version {version} does not exist; see `mlflow ui`"
        ) from exc


def set_alias(
    client: Any, name: str, alias: str, version: str, tags: dict[str, str] | None = None
) -> None:
    """Point `name@alias` at `version` and tag that version (who/why)."""
    client.set_registered_model_alias(name, alias, version)
    for key, value in (tags or {}).items():
        client.set_model_version_tag(name, version, key, value)


def download_bundle(client: Any, version: Any, dest: Path) -> Path:
    """The bundle logged with a version's run, downloaded into `dest` (returns its folder)."""
    run_id = version.run_id or (version.tags or {}).get("run_id")
    if not run_id:
        raise NotFoundError(f"model version {version.version} has no run; it cannot be exported")
    dest.mkdir(parents=True, exist_ok=True)
    path = client.download_artifacts(run_id, BUNDLE_ARTIFACT, str(dest))
    return Path(path)


def download_eval_set(client: Any, version: Any, dest: Path) -> Path:
    """The frozen test split logged with a version's run (a normalised tickets Parquet file)."""
    dest.mkdir(parents=True, exist_ok=True)
    return Path(client.download_artifacts(version.run_id, EVAL_ARTIFACT, str(dest)))


def log_to_run(client: Any, run_id: str, key: str, value: str) -> None:
    """Record an event (e.g. a forced promotion) as a tag on a run."""
    client.set_tag(run_id, key, value)


def copy_bundle(source: Path, out_dir: Path, registry_info: dict[str, Any]) -> Path:
    """Copy a verified bundle to `out_dir`, stamping the registry name/version into its manifest."""
    from triage.bundle import MANIFEST, verify_bundle

    manifest = verify_bundle(source)
    manifest["registry"] = registry_info
    manifest["version"] = f"{registry_info['name']}-v{registry_info['version']}"
    out_dir = Path(out_dir)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent if out_dir.parent.exists() else None))
    try:
        work = staging / "bundle"
        shutil.copytree(source, work)
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
        verify_bundle(work)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.move(str(work), out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir
