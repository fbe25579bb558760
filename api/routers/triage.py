"""POST /v1/triage and /v1/triage/batch: predictions for new tickets."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from api.deps import BatcherDep, HolderDep, SettingsDep
from api.errors import ApiError, invalid_field
from api.privacy import PrivacyDep
from api.schemas import (
    ANON_PREFIX,
    BatchRequest,
    BatchResponse,
    TicketIn,
    TriageRequest,
    TriageResponse,
)
from api.security import TriageScope
from triage.errors import TicketValueError
from triage.prediction import TriageResult
from triage.privacy.guard import TicketPrivacy
from triage.schema import Ticket

router = APIRouter(prefix="/v1", tags=["triage"], dependencies=[TriageScope])


class BatchTooLarge(ApiError):
    status, slug, title = 422, "batch-too-large", "Too many tickets in one batch"


def _tickets(items: list[TicketIn], privacy: TicketPrivacy, batch: bool) -> list[Ticket]:
    """Redacted before the batcher: the model, the index search, the store and the logs see
    placeholders and the requester's pseudonym only. A value the domain refuses is a 422 at
    `ticket.<field>`, or `tickets.<i>.<field>` in a batch (nothing is queued then)."""
    tickets = []
    for i, item in enumerate(items):
        try:
            ticket = item.to_ticket(f"{ANON_PREFIX}{uuid.uuid4().hex[:12]}")
        except TicketValueError as exc:
            raise invalid_field(exc, *(("tickets", i) if batch else ("ticket",))) from exc
        tickets.append(privacy.ticket(ticket))
    return tickets


def _response(
    pair: tuple[str, TriageResult], ticket: Ticket, k: int, min_relevance: str
) -> TriageResponse:
    prediction_id, result = pair
    response = TriageResponse.of(prediction_id, ticket.ticket_id, result)
    similar, kb = response.similar, response.kb
    if min_relevance == "strong":  # results are best first, so the strong ones lead
        similar = [s for s in similar if s.relevance == "strong"]
        kb = [a for a in kb if a.relevance == "strong"]
    return response.model_copy(update={"similar": similar[:k], "kb": kb[:k]})


@router.post("/triage", response_model=TriageResponse, summary="Triage one ticket")
async def triage_one(
    body: TriageRequest,
    settings: SettingsDep,
    batcher: BatcherDep,
    holder: HolderDep,
    privacy: PrivacyDep,
) -> Any:
    """Label, calibrated confidence, action and top-3 per target; similar tickets; KB articles."""
    tickets = _tickets([body.ticket], privacy, batch=False)
    k = body.k if body.k is not None else settings.similar_k
    holder.require()  # 503 before queueing when no model is loaded
    pairs = await batcher.submit(tickets)
    return _response(pairs[0], tickets[0], k, body.min_relevance)


@router.post("/triage/batch", response_model=BatchResponse, summary="Triage several tickets")
async def triage_batch(
    body: BatchRequest,
    settings: SettingsDep,
    batcher: BatcherDep,
    holder: HolderDep,
    privacy: PrivacyDep,
) -> Any:
    """Up to `TRIAGE_MAX_BATCH_TICKETS` tickets in one call (back-filling, imports)."""
    limit = settings.max_batch_tickets
    if len(body.tickets) > limit:
        raise BatchTooLarge(f"{len(body.tickets)} tickets > {limit}; split the batch")
    tickets = _tickets(body.tickets, privacy, batch=True)
    holder.require()
    pairs = await batcher.submit(tickets)
    k = settings.similar_k
    return BatchResponse(
        results=[
            _response(p, t, k, body.min_relevance) for p, t in zip(pairs, tickets, strict=True)
        ]
    )
