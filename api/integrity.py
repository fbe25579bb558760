"""What agents are shown stays honest: who may change a resolved ticket, which corrections are
labels the model knows, and how much feedback one key may send."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from api.deps import LoadedModel
from api.errors import ApiError
from triage.retrieval.protocol import RetrieverLike
from triage.store.protocol import FeedbackStore
from triage.store.records import ApiKey

logger = logging.getLogger(__name__)

CAP_WINDOW = timedelta(days=1)


class NotTicketOwner(ApiError):
    status, slug, title = 403, "not-ticket-owner", "Ticket written by another key"


class UnknownLabel(ApiError):
    status, slug, title = 422, "unknown-label", "Correction names a label the model does not know"


class UnknownReference(ApiError):
    status, slug, title = 404, "unknown-reference", "Feedback names an article or ticket not served"


class PredictionOfAnotherTicket(ApiError):
    status, slug, title = 409, "prediction-of-another-ticket", "Prediction made for another ticket"


class TicketWriteConflict(ApiError):
    status, slug, title = 409, "write-conflict", "Ticket changed by another write; send it again"


class FeedbackCapReached(ApiError):
    status, slug, title = 429, "feedback-cap", "Daily feedback cap of this key reached"


def _in_index(model: LoadedModel | None, ticket_id: str) -> bool:
    """True when the serving model's similar-ticket index holds `ticket_id` (training data,
    or a ticket resolved before writes were attributed)."""
    retriever = model.triager.retriever if model is not None else None
    return retriever is not None and retriever.has_ticket(ticket_id)


def check_ticket_writer(
    store: FeedbackStore, model: LoadedModel | None, key: ApiKey, ticket_id: str
) -> int:
    """How many writes of `ticket_id` are recorded, once `key` may write it; `NotTicketOwner`
    (403) otherwise. An admin key always may; another key when it wrote the ticket first, or
    when nobody has (and no index holds it yet). Pass the count to `record_resolved`, so a
    write landing in between is refused rather than overruled.

    Blocking (a store read): call it off the event loop.
    """
    history = store.ticket_history(ticket_id)
    if "admin" in key.scopes:
        return len(history)
    if history:
        owner = history[0].key_id
        if owner == key.key_id:
            return len(history)
        raise NotTicketOwner(
            f"ticket {ticket_id} was first written by key {owner}; only that key or an admin "
            "key may change it"
        )
    if _in_index(model, ticket_id):
        raise NotTicketOwner(
            f"ticket {ticket_id} is already in the similar-ticket index with no recorded "
            "writer; only an admin key may change it"
        )
    return 0


def check_corrections(manifest: Mapping[str, Any], corrections: Mapping[Any, str]) -> None:
    """`UnknownLabel` (422) for a correction outside the served model's label set of its target."""
    label_sets: Mapping[str, list[Any]] = manifest.get("labels") or {}
    for target, value in corrections.items():
        allowed = [str(label) for label in label_sets.get(target, [])]
        if not allowed:
            raise UnknownLabel(
                f"corrections.{target}: the served model does not predict {target}; "
                f"correct one of {sorted(label_sets)}"
            )
        if value not in allowed:
            raise UnknownLabel(
                f"corrections.{target}: {value!r} is not a label of the served model; "
                f"use one of {allowed}"
            )


def check_references(
    retriever: RetrieverLike | None, kb_article_id: str | None, ticket_id: str | None
) -> None:
    """`UnknownReference` (404, as an unknown prediction) for a rated KB article or solving
    ticket the served model does not hold: a typo or another system's id would otherwise count
    in KB acceptance. A model without a retriever cannot check, and accepts both."""
    if retriever is None:
        return
    if kb_article_id is not None and retriever.article(kb_article_id) is None:
        raise UnknownReference(
            f"kb_article_id: {kb_article_id!r} is not an article of the served knowledge base; "
            "send the article_id a response or /v1/kb/search returned"
        )
    if ticket_id is not None and not retriever.has_ticket(ticket_id):
        raise UnknownReference(
            f"solved_by_ticket_id: {ticket_id!r} is not a solved ticket of the served index; "
            "send the ticket_id of a similar ticket a response or /v1/similar returned"
        )


def check_feedback_cap(store: FeedbackStore, key: ApiKey, cap: int | None) -> None:
    """`FeedbackCapReached` (429) once `key` sent `cap` feedback in the last 24 hours (None or
    admin: no cap). Blocking (a store count): call it off the event loop."""
    if cap is None or "admin" in key.scopes:
        return
    sent = store.count_feedback(key.key_id, datetime.now(UTC) - CAP_WINDOW)
    if sent >= cap:
        logger.warning("feedback cap reached by key %s (%d in 24 h)", key.key_id, sent)
        raise FeedbackCapReached(
            f"key {key.key_id} sent {sent} feedback in the last 24 hours (cap "
            f"TRIAGE_FEEDBACK_DAILY_CAP={cap}); retry later or ask an admin",
            headers={"Retry-After": "3600"},
        )
