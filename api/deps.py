"""Typed dependencies: the loaded model (one immutable object, swapped by reference), the store."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request

from api.errors import NotReady
from triage.prediction import KBSuggestion, SimilarTicket, TriageResult
from triage.schema import Ticket
from triage.store.protocol import FeedbackStore

logger = logging.getLogger(__name__)


class Retriever(Protocol):
    """Similar-ticket and KB search of a bundle."""

    def similar(self, text: str, k: int) -> Sequence[SimilarTicket]: ...

    def kb(self, text: str, k: int) -> Sequence[KBSuggestion]: ...

    def add_ticket(self, ticket: Ticket) -> bool: ...

    def add_tickets(self, tickets: Sequence[Ticket]) -> int: ...


class TriagerLike(Protocol):
    """What the service needs of `triage.triager.Triager`."""

    manifest: dict[str, Any]
    retriever: Any
    """None, or a `Retriever` (`similar`, `kb`, `add_ticket`, `add_tickets`)."""

    @property
    def version(self) -> str: ...

    def predict(self, ticket: Ticket) -> TriageResult: ...

    def predict_many(
        self, tickets: Sequence[Ticket], *, k_similar: int = 5, k_kb: int = 3
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


def get_holder(request: Request) -> ModelHolder:
    holder: ModelHolder = request.app.state.models
    return holder


def get_model(request: Request) -> LoadedModel:
    return get_holder(request).require()


def get_store(request: Request) -> FeedbackStore:
    store: FeedbackStore = request.app.state.store
    return store


async def flush_predictions(request: Request) -> None:
    """Wait until queued prediction records are committed (before anything reads them)."""
    writer = getattr(request.app.state, "writer", None)
    if writer is not None and writer.pending:
        from fastapi.concurrency import run_in_threadpool

        await run_in_threadpool(writer.flush)


FlushedPredictions = Depends(flush_predictions)
HolderDep = Annotated[ModelHolder, Depends(get_holder)]
ModelDep = Annotated[LoadedModel, Depends(get_model)]
StoreDep = Annotated[FeedbackStore, Depends(get_store)]
