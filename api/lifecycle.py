"""Loading, checking and swapping model bundles, and the inference function the batcher runs."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Executor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from api.deps import LoadedModel, ModelHolder, TriagerLike
from api.metrics import Metrics
from api.settings import Settings
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
    if settings.warmup:
        _warm_up(triager, bundle_dir)
    return triager


def _warm_up(triager: TriagerLike, bundle_dir: Path) -> None:
    try:
        result = triager.predict_many([WARMUP_TICKET])[0]
    except (TriageError, ValueError, RuntimeError) as exc:
        raise BundleError(
            f"{bundle_dir}: warm-up prediction failed ({exc}); re-export the bundle"
        ) from exc
    if not result.predictions:
        raise BundleError(f"{bundle_dir}: warm-up prediction is empty; re-export the bundle")


# A resolved record is stamped before its commit; a catch-up looks this far behind the replay's
# start, so a record stamped before the replay but committed after it is still caught.
CATCH_UP_MARGIN = timedelta(minutes=5)


def replay_resolved(
    triager: TriagerLike, store: FeedbackStore, since: datetime | None = None
) -> int:
    """Index tickets resolved after the bundle was built (and after `since`, when given), so a
    reload never forgets them. Re-adding a ticket replaces it, so replaying twice is harmless."""
    retriever = triager.retriever
    built = triager.manifest.get("created_at")
    if retriever is None or not hasattr(retriever, "add_tickets") or not built:
        return 0
    after = datetime.fromisoformat(str(built))
    if since is not None:
        after = max(after, since)
    # One embedding call for all of them.
    return int(retriever.add_tickets([r.ticket for r in store.iter_resolved(since=after)]))


def reload(
    holder: ModelHolder,
    bundle_dir: Path,
    settings: Settings,
    metrics: Metrics,
    store: FeedbackStore | None = None,
    executor: Executor | None = None,
) -> tuple[str | None, str]:
    """Load, check and swap in a bundle; the old model keeps serving if anything fails.

    Tickets resolved since the bundle was built are replayed into its index before the swap.
    The swap runs on `executor` (the inference thread, which also indexes resolved tickets),
    after a catch-up of tickets resolved during the replay: a ticket resolved while a reload
    loads is in the new index once it serves. Returns (previous version, new version).
    Blocking: call it off the event loop.
    """
    with holder.reload_lock:
        triager = load_triager(bundle_dir, settings)
        started = datetime.now(UTC)
        replayed = replay_resolved(triager, store) if store is not None else 0

        def catch_up_and_swap() -> tuple[LoadedModel | None, int]:
            caught = 0
            if store is not None:
                caught = replay_resolved(triager, store, since=started - CATCH_UP_MARGIN)
            return holder.swap(triager, Path(bundle_dir)), caught

        if executor is None:
            previous, caught = catch_up_and_swap()
        else:
            previous, caught = executor.submit(catch_up_and_swap).result()
    metrics.set_model(triager.version)
    logger.info(
        "serving model %s from %s (%d resolved tickets replayed, %d caught up at the swap)",
        triager.version,
        bundle_dir,
        replayed,
        caught,
        extra={"model_version": triager.version},
    )
    return (previous.version if previous else None), triager.version


def index_resolved(holder: ModelHolder, ticket: Ticket) -> bool:
    """Add a resolved ticket to the model serving now (run it on the inference thread, like the
    swap, so it lands in the old index before a swap's catch-up or in the new one after it).
    False when no model with a ticket index is loaded, or the ticket has no solution."""
    model = holder.current
    retriever = model.triager.retriever if model else None
    if retriever is None or not hasattr(retriever, "add_ticket"):
        return False
    return retriever.add_ticket(ticket) is not False


def labels_of(result: TriageResult) -> dict[str, dict[str, Any]]:
    """What a prediction record keeps per target: label, confidence, action."""
    return {
        t: {"label": p.label, "confidence": p.confidence, "action": p.action.value}
        for t, p in result.predictions.items()
    }


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

    def __call__(self, tickets: list[Ticket]) -> list[tuple[str, TriageResult]]:
        """(prediction_id, result) per ticket; predictions committed, or queued on the writer."""
        model = self.holder.require()
        k = self.kb_k  # TRIAGE_SIMILAR_K: similar tickets and KB articles searched per ticket
        results = model.triager.predict_many(tickets, k_similar=k, k_kb=k)
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
