"""POST /v1/triage and /v1/triage/batch: predictions for new tickets."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from api.batching import MicroBatcher
from api.errors import ApiError
from api.schemas import BatchRequest, BatchResponse, TicketIn, TriageRequest, TriageResponse
from api.security import TriageScope
from triage.prediction import TriageResult
from triage.schema import Ticket

router = APIRouter(prefix="/v1", tags=["triage"], dependencies=[TriageScope])


class BatchTooLarge(ApiError):
    status, slug, title = 422, "batch-too-large", "Too many tickets in one batch"


def _tickets(items: list[TicketIn]) -> list[Ticket]:
    return [t.to_ticket(f"anon-{uuid.uuid4().hex[:12]}") for t in items]


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


async def _run(request: Request, tickets: list[Ticket]) -> list[tuple[str, TriageResult]]:
    request.app.state.models.require()  # 503 before queueing when no model is loaded
    batcher: MicroBatcher[Ticket, tuple[str, TriageResult]] = request.app.state.batcher
    return await batcher.submit(tickets)


@router.post("/triage", response_model=TriageResponse, summary="Triage one ticket")
async def triage_one(body: TriageRequest, request: Request) -> Any:
    """Label, calibrated confidence, action and top-3 per target; similar tickets; KB articles."""
    tickets = _tickets([body.ticket])
    k = body.k if body.k is not None else request.app.state.settings.similar_k
    pairs = await _run(request, tickets)
    return _response(pairs[0], tickets[0], k, body.min_relevance)


@router.post("/triage/batch", response_model=BatchResponse, summary="Triage several tickets")
async def triage_batch(body: BatchRequest, request: Request) -> Any:
    """Up to `TRIAGE_MAX_BATCH_TICKETS` tickets in one call (back-filling, imports)."""
    limit = request.app.state.settings.max_batch_tickets
    if len(body.tickets) > limit:
        raise BatchTooLarge(f"{len(body.tickets)} tickets > {limit}; split the batch")
    tickets = _tickets(body.tickets)
    pairs = await _run(request, tickets)
    k = request.app.state.settings.similar_k
    return BatchResponse(
        results=[
            _response(p, t, k, body.min_relevance) for p, t in zip(pairs, tickets, strict=True)
        ]
    )
