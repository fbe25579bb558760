"""POST /v1/feedback: what an agent did with a prediction (committed before the response)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import FlushedPredictions, StoreDep
from api.schemas import FeedbackIn, FeedbackOut
from api.security import AgentScope
from triage.store.records import FeedbackRecord

router = APIRouter(prefix="/v1", tags=["feedback"], dependencies=[AgentScope])


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    status_code=201,
    summary="Record agent feedback",
    dependencies=[FlushedPredictions],  # the prediction it names is committed first
)
async def post_feedback(body: FeedbackIn, request: Request, store: StoreDep) -> Any:
    """Stored durably: the row is committed (SQLite WAL, synchronous=FULL) before 201 is sent.

    404 when `prediction_id` is unknown.
    """
    record = FeedbackRecord(**body.model_dump())
    feedback_id = await run_in_threadpool(store.record_feedback, record)
    request.app.state.metrics.feedback.labels(body.outcome).inc()
    return FeedbackOut(feedback_id=feedback_id)
