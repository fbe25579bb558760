"""Loading, checking and swapping model bundles, and the inference function the batcher runs."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from api.deps import LoadedModel, ModelHolder, TriagerLike
from api.metrics import Metrics
from api.privacy import drop_erased
from api.settings import Settings
from api.ticket_log import TicketLogTail
from api.writer import PredictionWriter
from triage.errors import BundleError, TriageError
from triage.prediction import TriageResult
from triage.schema import Ticket
from triage.store.protocol import FeedbackStore
from triage.store.records import PredictionRecord

logger = logging.getLogger(__name__)

WARMUP_TICKET = Ticket(
    ticket_id="warm-up", subject="Printer not working", body="Cannot print since today."
)


def load_triager(bundle_dir: Path, settings: Settings) -> TriagerLike:
    """Load a bundle with `triage.triager.Triager` and run one warm-up prediction.

    Raises `BundleError` when the bundle is missing, tampered with, incompatible or cannot predict.
    """
    from triage.triager import Triager, embedder_from_spec

    try:
        embedder = embedder_from_spec(settings.embedder) if settings.embedder else None
        triager: TriagerLike = Triager.load(Path(bundle_dir), embedder=embedder)
    except BundleError:
        raise
    except (TriageError, OSError, ValueError, KeyError, ImportError) as exc:
        raise BundleError(f"{bundle_dir}: cannot be loaded ({exc}); re-export the bundle") from exc
    _cap_embedder_threads(triager, settings.embed_threads)
    if settings.warmup:
        _warm_up(triager, bundle_dir)
    return triager


def _cap_embedder_threads(triager: TriagerLike, threads: int) -> None:
    """`TRIAGE_EMBED_THREADS`: the ONNX embedder's onnxruntime threads (0 keeps its default)."""
    from triage.onnx_embedder import cap_threads

    cap_threads(getattr(triager, "embedder", None), threads)


def _warm_up(triager: TriagerLike, bundle_dir: Path) -> None:
    try:
        result = triager.predict_many([WARMUP_TICKET])[0]
    except (TriageError, ValueError, RuntimeError) as exc:
        raise BundleError(
            f"{bundle_dir}: warm-up prediction failed ({exc}); re-export the bundle"
        ) from exc
    if not result.predictions:
        raise BundleError(f"{bundle_dir}: warm-up prediction is empty; re-export the bundle")


def reload(
    holder: ModelHolder,
    bundle_dir: Path,
    settings: Settings,
    metrics: Metrics,
    log: TicketLogTail | None = None,
    executor: Executor | None = None,
) -> tuple[str | None, str]:
    """Load, check and swap in a bundle; the old model keeps serving if anything fails.

    Tickets logged as resolved since the bundle was built are replayed into its index before
    the swap. The swap runs on `executor` (the inference thread, which also tails the log),
    after a catch-up of what was logged during the replay: a ticket resolved while a reload
    loads is in the new index once it serves, and the log cursor moves with the swap.
    Returns (previous version, new version). Blocking: call it off the event loop.
    """
    with holder.reload_lock:
        triager = load_triager(bundle_dir, settings)
        if log is not None:
            drop_erased(triager, log.store, settings)  # erased tickets never come back (issue 12)
        replayed_to = log.replay(triager) if log is not None else 0

        def catch_up_and_swap() -> tuple[LoadedModel | None, int]:
            cursor = replayed_to
            if log is not None:
                cursor = log.catch_up(triager, replayed_to)
                log.cursor = cursor
            return holder.swap(triager, Path(bundle_dir)), cursor

        if executor is None:
            previous, cursor = catch_up_and_swap()
        else:
            previous, cursor = executor.submit(catch_up_and_swap).result()
    metrics.set_model(triager.version)
    logger.info(
        "serving model %s from %s (ticket log read up to id %d)",
        triager.version,
        bundle_dir,
        cursor,
        extra={"model_version": triager.version},
    )
    return (previous.version if previous else None), triager.version


def labels_of(result: TriageResult) -> dict[str, dict[str, Any]]:
    """What a prediction record keeps per target: label, confidence, action and, when the
    action is not `auto`, the reason code (insight tells uncertain tickets from `never_auto`)."""
    return {
        t: {
            "label": p.label,
            "confidence": p.confidence,
            "action": p.action.value,
            "reason_code": p.reason_code.value if p.reason_code else None,
        }
        for t, p in result.predictions.items()
    }


@dataclass(frozen=True, slots=True)
class Prepared:
    """A micro-batch with the model that answers it and, when embedded already, its vectors
    (len(tickets), dim)."""

    model: LoadedModel
    tickets: list[Ticket]
    vectors: NDArray[np.float32] | None = None


class Inference:
    """Runs on the single inference thread: predict a micro-batch, store it, count it."""

    def __init__(
        self,
        holder: ModelHolder,
        store: FeedbackStore,
        metrics: Metrics,
        kb_k: int,
        writer: PredictionWriter | None = None,
    ) -> None:
        self.holder, self.store, self.metrics, self.kb_k = holder, store, metrics, kb_k
        self.writer = writer

    def prepare(self, tickets: list[Ticket]) -> Prepared:
        """The batch's embedding by the model serving now (the batcher's first stage, on its
        own thread: onnxruntime releases the GIL, so it runs beside the previous batch's
        retrieval and classifiers). The batch is then answered by this same model."""
        model = self.holder.require()
        embed = getattr(model.triager, "embed", None)  # a triager without one embeds itself
        return Prepared(model, tickets, None if embed is None else embed([t.text for t in tickets]))

    def __call__(self, batch: list[Ticket] | Prepared) -> list[tuple[str, TriageResult]]:
        """(prediction_id, result) per ticket; predictions committed, or queued on the writer."""
        given = batch if isinstance(batch, Prepared) else Prepared(self.holder.require(), batch)
        model, tickets = given.model, given.tickets
        k = self.kb_k  # TRIAGE_SIMILAR_K: similar tickets and KB articles searched per ticket
        results = model.triager.predict_many(tickets, k_similar=k, k_kb=k, vectors=given.vectors)
        records = [
            PredictionRecord(uuid.uuid4().hex, t, r.model_version or model.version, labels_of(r))
            for t, r in zip(tickets, results, strict=True)
        ]
        if self.writer is not None:
            self.writer.submit(records)
        else:
            self.store.record_predictions(records)
        self.metrics.observe_results(results)
        return [(rec.prediction_id, r) for rec, r in zip(records, results, strict=True)]
