"""The training pipeline: train, build the retrieval index, write the bundle, log and register
it in MLflow as `@challenger`."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training import tracking
from training.config import TrainConfig
from training.plots import all_plots
from training.pyfunc import log_pyfunc
from training.train import (
    Progress,
    TrainResult,
    build_bundle,
    embedder_info,
    make_embedder,
    train,
)
from triage.bundle import read_manifest
from triage.bundle_files import manifest_sha256
from triage.dataset import write_tickets
from triage.embeddings import Embedder
from triage.errors import TriageError
from triage.privacy.guard import TicketPrivacy
from triage.retrieval import Retriever
from triage.schema import KBArticle, Ticket

logger = logging.getLogger(__name__)

INDEX_FAILURES = (TriageError, MemoryError)
"""What building the retrieval index may raise on data or an embedder it cannot index: the
library's typed errors (`VectorIndexError`, `ConfigError`, ...) and MemoryError (an index too
large for this machine). The trained model is kept and the failure reported; any other
exception is a bug and stops the run."""


@dataclass(frozen=True)
class TrackedRun:
    """What `triage train` reports: the MLflow run, the registered version, the local bundle."""

    run_id: str
    model_name: str
    model_version: str
    bundle_path: Path
    result: TrainResult
    retrieval: str
    """The bundle manifest's `retrieval`: `included`, `absent`, or why the index failed."""

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "model_name": self.model_name,
            "model_version": self.model_version,
            "alias": tracking.CHALLENGER,
            "bundle_path": str(self.bundle_path),
            "retrieval": self.retrieval,
            "split": {"method": self.result.split_method, **self.result.split_sizes},
            "skipped_targets": self.result.skipped,
            "metrics": {
                k: round(v, 4)
                for k, v in self.result.summary_metrics().items()
                if ".baseline" not in k and "consistency" not in k
            },
            "baselines": self.result.baseline_summary(),
            "served": self.result.served_summary(),
            "auto": self.result.auto_summary(),
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
    articles: Sequence[KBArticle] = (),
) -> TrackedRun:
    """Train, log everything to MLflow, register a version with alias `challenger`.

    The bundle is written to `bundle_dir` (default `<root>/models/runs/<run id>`) and logged too.
    """
    tickets = private_tickets(config, tickets)  # before the split, the index and MLflow
    with tracking.tracked_run(config, root) as (client, run_id):
        tracking.log_config(config, data_source)
        index = IndexBuild(config, tickets, articles, embedder, progress)
        result = train(config, tickets, embedder=embedder, progress=progress, side_work=index)
        index.attach(result)
        out = Path(bundle_dir) if bundle_dir else (root or Path.cwd()) / "models" / "runs" / run_id
        with _timed(result, "bundle_s"):
            version_name = f"{config.tracking.model_name}-run-{run_id[:8]}"
            bundle = build_bundle(result, out, version=version_name)
        retrieval = str(read_manifest(bundle)["retrieval"])
        with _timed(result, "log_run_s"):
            tracking.log_result(result, retrieval)
            _log_plots(result)
            tracking.log_folder(bundle, tracking.BUNDLE_ARTIFACT)
            _log_eval_set(result.test_tickets)
        _step(progress, "log model")
        with _timed(result, "log_model_s"):
            source = (
                log_pyfunc(bundle)
                if config.tracking.log_pyfunc
                else tracking.artifact_uri(tracking.BUNDLE_ARTIFACT)  # a `runs:/` needs a model
            )
            version = tracking.register(
                client, config.tracking.model_name, source, run_id, manifest_sha256(bundle)
            )
    return TrackedRun(run_id, config.tracking.model_name, version, bundle, result, retrieval)


def private_tickets(config: TrainConfig, tickets: Sequence[Ticket]) -> list[Ticket]:
    """The tickets training may see: within `privacy.retention_months`, personal data replaced
    by placeholders and each requester by its keyed pseudonym (`triage.privacy.guard`)."""
    privacy = TicketPrivacy.from_section(config.privacy.section())
    kept = privacy.retained(tickets)
    if len(kept) < len(tickets):
        logger.info(
            "retention: %d of %d tickets are too old to train on",
            len(tickets) - len(kept),
            len(tickets),
        )
    return privacy.tickets(kept)


@contextmanager
def _timed(result: TrainResult, name: str) -> Iterator[None]:
    """Wall seconds of the block into `result.timings[name]` (the run summary's `timings_s`)."""
    start = time.perf_counter()
    yield
    result.timings[name] = round(time.perf_counter() - start, 3)


def _step(progress: Progress | None, name: str) -> None:
    if progress is not None:
        progress(name)


class IndexBuild:
    """The similar-ticket and KB index, when the config asks for it: built as `train`'s side
    work (while the baseline's process fits) and attached to the result afterwards.

    An index that cannot be built (`INDEX_FAILURES`) leaves `result.retriever` None and the
    reason in `result.retrieval_error`, which the bundle manifest, the MLflow run and the run
    summary report; the trained model is kept.
    """

    def __init__(
        self,
        config: TrainConfig,
        tickets: Sequence[Ticket],
        articles: Sequence[KBArticle],
        embedder: Embedder | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.config, self.tickets, self.articles = config, tickets, articles
        self.given, self.progress = embedder, progress
        self.done = False
        self.embedder: Embedder | None = None
        self.retriever: Retriever | None = None
        self.error: str | None = None
        self.seconds = 0.0

    def __call__(self, emb: Embedder | None) -> None:
        """Build with the run's embedder `emb` (or the configured one when the run had none)."""
        self.done, start = True, time.perf_counter()
        if self.config.retrieval:
            self.embedder = emb or make_embedder(self.config, self.given, needed=True)
        if self.embedder is not None:
            _step(self.progress, "retrieval index")
            self._build(self.embedder)
        self.seconds = round(time.perf_counter() - start, 3)

    def _build(self, emb: Embedder) -> None:
        try:
            self.retriever = Retriever.build(list(self.tickets), list(self.articles), emb)
        except INDEX_FAILURES as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            logger.warning(
                "bundle without similar tickets, the retrieval index failed: %s", self.error
            )

    def attach(self, result: TrainResult) -> None:
        """Put the index (built now if `train` did not run it) into `result`."""
        if not self.done:
            self(result.embedder_object)
        if self.embedder is None:
            return
        result.embedder = result.embedder or embedder_info(result.config, self.embedder)
        result.retriever, result.retrieval_error = self.retriever, self.error
        result.timings["index_s"] = self.seconds


def attach_retriever(
    result: TrainResult,
    tickets: Sequence[Ticket],
    articles: Sequence[KBArticle],
    embedder: Embedder | None = None,
) -> None:
    """Build the similar-ticket and KB index into `result` when the config asks for it
    (`IndexBuild`, run now)."""
    IndexBuild(result.config, tickets, articles, embedder).attach(result)


def _log_plots(result: TrainResult) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        all_plots(result.metrics, result.curves, result.config.policy.target_precision, Path(tmp))
        tracking.log_folder(Path(tmp), "plots")


def _log_eval_set(tickets: Sequence[Ticket]) -> None:
    """The frozen test split, so `triage promote` compares versions on the same tickets."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_tickets(tickets, Path(tmp) / "test_tickets.parquet")
        tracking.log_file(path, "eval")
