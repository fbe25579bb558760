"""POST /v1/tickets/resolved: a closed ticket becomes searchable and scores its prediction."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import FlushedPredictions, StoreDep
from api.lifecycle import index_resolved
from api.schemas import ResolvedIn, ResolvedOut
from api.security import TriageScope
from triage.errors import TriageError
from triage.schema import Ticket
from triage.store.records import ResolvedRecord

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["tickets"], dependencies=[TriageScope])


async def _make_searchable(request: Request, ticket: Ticket) -> bool:
    loop = asyncio.get_running_loop()
    holder = request.app.state.models
    try:
        return await loop.run_in_executor(
            request.app.state.executor, index_resolved, holder, ticket
        )
    except TriageError as exc:
        logger.warning("resolved ticket not indexed: %s", exc)
        return False


@router.post(
    "/tickets/resolved",
    response_model=ResolvedOut,
    status_code=201,
    summary="Record a resolved ticket",
    dependencies=[FlushedPredictions],
)
async def post_resolved(body: ResolvedIn, request: Request, store: StoreDep) -> Any:
    """Stores the final labels (committed first), then adds the ticket to the similar index."""
    ticket = body.ticket.to_ticket(body.ticket.ticket_id)
    record = ResolvedRecord(ticket=ticket, prediction_id=body.prediction_id)
    resolved_id = await run_in_threadpool(store.record_resolved, record)
    return ResolvedOut(resolved_id=resolved_id, searchable=await _make_searchable(request, ticket))
