"""Typed dependencies: every part of `AppState` a route needs, and the model holder.

Routes take `SettingsDep`, `ModelDep`, `StoreDep`, ... and never read `request.app.state`, so a
test replaces any of them with `app.dependency_overrides[get_x]`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Protocol

import numpy as np
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from numpy.typing import NDArray

from api.batching import MicroBatcher
from api.errors import NotReady
from api.incidents import InsightState
from api.metrics import Metrics
from api.settings import Settings
from api.state import AppState, request_state
from triage.prediction import TriageResult
from triage.retrieval.protocol import RetrieverLike
from triage.schema import Ticket
from triage.store.protocol import FeedbackStore

logger = logging.getLogger(__name__)


class TriagerLike(Protocol):
    """What the service needs of `triage.triager.Triager`."""

    manifest: dict[str, Any]
    retriever: RetrieverLike | None
    """None when the bundle has no retrieval index."""

    @property
    def version(self) -> str: ...

    def predict(self, ticket: Ticket) -> TriageResult: ...

    def predict_many(
        self,
        tickets: Sequence[Ticket],
        *,
        k_similar: int = 5,
        k_kb: int = 3,
        vectors: NDArray[np.float32] | None = None,
    ) -> list[TriageResult]: ...


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A triager with where it came from; replaced whole on reload, never mutated."""

    triager: TriagerLike
    bundle_dir: Path
    loaded_at: datetime

    @property
    def version(self) -> str:
        return self.triager.version


class ModelHolder:
    """Holds the current `LoadedModel`; `swap` replaces the reference atomically."""

    def __init__(self) -> None:
        self._current: LoadedModel | None = None
        self._reload_lock = threading.Lock()

    @property
    def current(self) -> LoadedModel | None:
        return self._current

    @property
    def reload_lock(self) -> threading.Lock:
        """Held while a reload loads and checks a bundle, so two reloads never race."""
        return self._reload_lock

    def swap(self, triager: TriagerLike, bundle_dir: Path) -> LoadedModel | None:
        """Install a new model; returns the previous one."""
        previous, self._current = self._current, LoadedModel(triager, bundle_dir, datetime.now(UTC))
        return previous

    def require(self) -> LoadedModel:
        """The current model, or `NotReady` (503) with what to do."""
        model = self._current
        if model is None:
            raise NotReady(
                "no model bundle loaded; set TRIAGE_BUNDLE_DIR and restart, "
                "or POST /v1/admin/reload with a bundle_dir"
            )
        return model


async def get_state(request: Request) -> AppState:
    """The app's `AppState` (async, like every dependency here: no thread hop per request)."""
    return request_state(request)


StateDep = Annotated[AppState, Depends(get_state)]


async def get_settings(state: StateDep) -> Settings:
    return state.settings


async def get_holder(state: StateDep) -> ModelHolder:
    return state.models


async def get_model(holder: Annotated[ModelHolder, Depends(get_holder)]) -> LoadedModel:
    """The model serving now, or `NotReady` (503)."""
    return holder.require()


async def get_store(state: StateDep) -> FeedbackStore:
    return state.store


async def get_metrics(state: StateDep) -> Metrics:
    return state.metrics


async def get_executor(state: StateDep) -> ThreadPoolExecutor:
    """The inference thread: searches and index updates run there, never on the event loop."""
    return state.executor


async def get_batcher(state: StateDep) -> MicroBatcher[Ticket, tuple[str, TriageResult]]:
    return state.batcher


async def get_insight(state: StateDep) -> InsightState:
    return state.insight


async def flush_predictions(state: StateDep) -> None:
    """Wait until queued prediction records are committed (before anything reads them)."""
    writer = state.writer
    if writer is not None and writer.pending:
        await run_in_threadpool(writer.flush)


FlushedPredictions = Depends(flush_predictions)
SettingsDep = Annotated[Settings, Depends(get_settings)]
HolderDep = Annotated[ModelHolder, Depends(get_holder)]
ModelDep = Annotated[LoadedModel, Depends(get_model)]
StoreDep = Annotated[FeedbackStore, Depends(get_store)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
ExecutorDep = Annotated[ThreadPoolExecutor, Depends(get_executor)]
BatcherDep = Annotated[MicroBatcher[Ticket, tuple[str, TriageResult]], Depends(get_batcher)]
InsightDep = Annotated[InsightState, Depends(get_insight)]
