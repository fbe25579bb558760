"""POST /v1/feedback: what an agent did with a prediction (committed before the response)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import FlushedPredictions, StoreDep
from api.integrity import check_corrections, check_feedback_cap
from api.schemas import FeedbackIn, FeedbackOut
from api.security import AgentScope
from triage.store.records import ApiKey, FeedbackRecord

router = APIRouter(prefix="/v1", tags=["feedback"], dependencies=[AgentScope])


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    status_code=201,
    summary="Record agent feedback",
    dependencies=[FlushedPredictions],  # the prediction it names is committed first
)
async def post_feedback(
    body: FeedbackIn, request: Request, store: StoreDep, key: ApiKey = AgentScope
) -> Any:
    """Stored durably: the row is committed (SQLite WAL, synchronous=FULL) before 201 is sent.

    404 when `prediction_id` is unknown; 422 when a correction is not a label of the served
    model; 429 once the key sent `TRIAGE_FEEDBACK_DAILY_CAP` feedback in 24 hours.
    """
    if body.corrections:  # only labels the model knows flow into the training export
        check_corrections(request.app.state.models.require().triager.manifest, body.corrections)
    cap = request.app.state.settings.feedback_daily_cap
    await run_in_threadpool(check_feedback_cap, store, key, cap)
    record = FeedbackRecord(**body.model_dump(), key_id=key.key_id)
    feedback_id = await run_in_threadpool(store.record_feedback, record)
    request.app.state.metrics.feedback.labels(body.outcome).inc()
    return FeedbackOut(feedback_id=feedback_id)
