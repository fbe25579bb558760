"""MLflow: tracking store, run logging and the model registry (with `training.pyfunc`, the only
modules that import mlflow).

Default store: `sqlite:///<root>/mlruns/mlflow.db` with artifacts in `<root>/mlruns/artifacts`
(root = the current folder, i.e. the repository for `make run`).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mlflow
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from training.config import TrainConfig, dump_config
from training.train import TrainResult
from triage.bundle_files import manifest_sha256
from triage.errors import BundleError, NotFoundError, TriageError

logger = logging.getLogger(__name__)

CHALLENGER = "challenger"
CHAMPION = "champion"
BUNDLE_ARTIFACT = "bundle"
EVAL_ARTIFACT = "eval/test_tickets.parquet"
MODEL_URI_PREFIX = "models:/"


class TrackingError(TriageError):
    """The MLflow tracking server or store cannot be reached or used."""


# --- the store ------------------------------------------------------------------------------


def default_tracking_uri(root: Path | None = None) -> str:
    """`sqlite:///<root>/mlruns/mlflow.db` (root defaults to the current folder)."""
    folder = (Path(root) if root else Path.cwd()).resolve() / "mlruns"
    return f"sqlite:///{folder / 'mlflow.db'}"


def resolve_uri(uri: str | None, root: Path | None = None) -> str:
    """The configured tracking URI, else the default local store under `root`."""
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


def connect(uri: str) -> MlflowClient:
    """A client on `uri` (also made the process's tracking and registry URI)."""
    check_reachable(uri)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def registry(config: TrainConfig, root: Path | None = None) -> MlflowClient:
    """A client on the configured (or default) store."""
    return connect(resolve_uri(config.tracking.tracking_uri, root))


def _experiment_id(client: MlflowClient, name: str, uri: str) -> str:
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return str(experiment.experiment_id)
    return str(client.create_experiment(name, artifact_location=_artifact_root(uri)))


# --- one run --------------------------------------------------------------------------------


@contextmanager
def tracked_run(
    config: TrainConfig, root: Path | None = None
) -> Iterator[tuple[MlflowClient, str]]:
    """An MLflow run in the configured experiment: yields (client, run id)."""
    uri = resolve_uri(config.tracking.tracking_uri, root)
    client = connect(uri)
    experiment_id = _experiment_id(client, config.tracking.experiment, uri)
    with mlflow.start_run(experiment_id=experiment_id) as run:
        yield client, run.info.run_id


def log_config(config: TrainConfig, data_source: str | None) -> None:
    """The resolved config as params and as `config.yaml`; where the data came from as a tag."""
    mlflow.log_params(config.flat_params())
    mlflow.log_text(dump_config(config), "config.yaml")
    if data_source:
        mlflow.set_tag("data_source", data_source)


def log_result(result: TrainResult, retrieval: str) -> None:
    """Fingerprint, split, metrics, timings and the full report of a training run; the
    retrieval index's state (`included`, `absent` or why it failed) as a tag."""
    mlflow.log_param("data_fingerprint", result.data_fingerprint)
    mlflow.log_param("split_method", result.split_method)
    for target, served in result.served_summary().items():  # what validation chose to serve
        mlflow.log_param(f"served.{target}", served["served"])
        mlflow.log_metrics(_edge_metrics(target, served.get("edge_over_baseline", {})))
    mlflow.set_tag("retrieval", retrieval[:5000])
    mlflow.log_metrics({f"split.{k}": float(v) for k, v in result.split_sizes.items()})
    mlflow.log_metrics({_metric_key(k): v for k, v in result.summary_metrics().items() if v == v})
    mlflow.log_metrics({f"time.{k}": v for k, v in result.timings.items()})
    mlflow.log_dict(_jsonable(result.metrics), "metrics/report.json")
    if result.skipped:
        mlflow.log_dict(result.skipped, "metrics/skipped_targets.json")


def _edge_metrics(target: str, edges: dict[str, dict[str, float]]) -> dict[str, float]:
    """Each blend's edge over the baseline on validation and its standard error, in points
    (`training.candidates.edge_over`), e.g. `category.edge.scores_votes`: runs can be compared
    on how clearly the served blend won, not only on which one."""
    out = {}
    for blend, edge in edges.items():
        name = blend.replace("+", "_")  # MLflow metric names allow no "+"
        out[f"{target}.edge.{name}"] = float(edge["points"])
        out[f"{target}.edge_se.{name}"] = float(edge["se"])
    return out


def _metric_key(key: str) -> str:
    return key.replace("->", "_to_")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: getattr(v, "tolist", lambda: str(v))()))


def log_folder(folder: Path, artifact_path: str) -> None:
    """Every file under `folder` as artifacts of the active run, under `artifact_path`."""
    mlflow.log_artifacts(str(folder), artifact_path)


def log_file(path: Path, artifact_dir: str) -> None:
    """One file as an artifact of the active run, in `artifact_dir`."""
    mlflow.log_artifact(str(path), artifact_dir)


def artifact_uri(artifact_path: str) -> str:
    """Where the active run keeps `artifact_path` (a source `register` accepts)."""
    return str(mlflow.get_artifact_uri(artifact_path))


MANIFEST_TAG = "manifest_sha256"
"""Model version tag: SHA-256 of the bundle's manifest.json, checked when the bundle is fetched."""


def register(
    client: MlflowClient, name: str, source: str, run_id: str, manifest_sha256: str | None = None
) -> str:
    """Register `source` (a logged model's URI, or an artifact folder's from `artifact_uri`) as a
    new version of `name` with alias challenger; the run id is a tag too, so a version
    registered from an artifact folder still finds its run. `manifest_sha256` (the bundle's
    manifest, which lists every file's SHA-256) is recorded as a tag, so a bundle changed in the
    artifact store is refused when fetched."""
    tags = {"run_id": run_id} | ({MANIFEST_TAG: manifest_sha256} if manifest_sha256 else {})
    version = mlflow.register_model(source, name, tags=tags)
    client.set_registered_model_alias(name, CHALLENGER, version.version)
    logger.info("registered %s version %s as @%s", name, version.version, CHALLENGER)
    return str(version.version)


# --- the registry: promote, rollback, export, evaluate -------------------------------------


def version_for_alias(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    """The model version behind `name@alias`, or None when the alias is not set."""
    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


def get_version(client: MlflowClient, name: str, version: str) -> ModelVersion:
    """Version `version` of model `name`; `NotFoundError` when there is none."""
    try:
        return client.get_model_version(name, version)
    except MlflowException as exc:
        raise NotFoundError(
            f"model {name} version {version} does not exist; see `mlflow ui`"
        ) from exc


def set_alias(
    client: MlflowClient, name: str, alias: str, version: str, tags: dict[str, str] | None = None
) -> None:
    """Point `name@alias` at `version` and tag that version (who/why)."""
    client.set_registered_model_alias(name, alias, version)
    for key, value in (tags or {}).items():
        client.set_model_version_tag(name, version, key, value)


def log_to_run(client: MlflowClient, run_id: str, key: str, value: str) -> None:
    """Record an event (e.g. a forced promotion) as a tag on a run."""
    client.set_tag(run_id, key, value)


def parse_model_uri(uri: str) -> tuple[str, str | None, str | None]:
    """`models:/<name>@<alias>` or `models:/<name>/<version>` as (name, alias, version);
    `models:/<name>` means its champion."""
    rest = uri.removeprefix(MODEL_URI_PREFIX)
    name, _, alias = rest.partition("@")
    if alias:
        return name, alias, None
    name, _, version = rest.partition("/")
    return name, None if version else CHAMPION, version or None


def resolve_version(
    client: MlflowClient, name: str, *, alias: str | None = None, version: str | None = None
) -> ModelVersion:
    """The version `version` of `name`, else the one behind `name@alias`."""
    if version is not None:
        return get_version(client, name, version)
    found = version_for_alias(client, name, alias or CHAMPION)
    if found is None:
        raise NotFoundError(
            f"model {name} has no @{alias or CHAMPION}; run `triage train` and `triage promote` "
            "(or name a version)"
        )
    return found


def fetch_bundle(
    client: MlflowClient,
    name: str,
    dest: Path,
    *,
    alias: str | None = None,
    version: str | None = None,
) -> tuple[ModelVersion, Path]:
    """The bundle of `name@alias` (default champion) or of `version`, downloaded into `dest`.

    The one way `promote`, `export` and `evaluate` turn a registered model into a bundle folder.
    """
    chosen = resolve_version(client, name, alias=alias, version=version)
    dest.mkdir(parents=True, exist_ok=True)
    bundle = Path(client.download_artifacts(_run_id(chosen), BUNDLE_ARTIFACT, str(dest)))
    check_manifest_tag(chosen, bundle)
    return chosen, bundle


def check_manifest_tag(version: ModelVersion, bundle: Path) -> None:
    """`BundleError` when the fetched bundle's manifest is not the one registered (versions
    registered before the tag existed are let through with a warning)."""
    recorded = (version.tags or {}).get(MANIFEST_TAG)
    if recorded is None:
        logger.warning(
            "model %s version %s has no %s tag; its bundle is checked against its own manifest "
            "only (re-register to record it)",
            version.name,
            version.version,
            MANIFEST_TAG,
        )
        return
    actual = manifest_sha256(bundle)
    if actual != recorded:
        raise BundleError(
            f"model {version.name} version {version.version}: manifest SHA-256 {actual[:12]}... "
            f"!= registered {recorded[:12]}...; the bundle in the artifact store was changed, "
            "retrain or restore it"
        )


def download_eval_set(client: MlflowClient, version: ModelVersion, dest: Path) -> Path:
    """The frozen test split logged with a version's run (a normalised tickets Parquet file)."""
    dest.mkdir(parents=True, exist_ok=True)
    return Path(client.download_artifacts(_run_id(version), EVAL_ARTIFACT, str(dest)))


def _run_id(version: ModelVersion) -> str:
    run_id = version.run_id or (version.tags or {}).get("run_id")
    if not run_id:
        raise NotFoundError(
            f"model {version.name} version {version.version} has no run; nothing to download"
        )
    return str(run_id)
