"""POST /v1/feedback: what an agent did with a prediction (committed before the response)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.consistency import record_feedback_waiting
from api.deps import FlushedPredictions, MetricsDep, SettingsDep, StoreDep
from api.privacy import PrivacyDep
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
async def post_feedback(
    body: FeedbackIn,
    store: StoreDep,
    metrics: MetricsDep,
    settings: SettingsDep,
    privacy: PrivacyDep,
) -> Any:
    """Stored durably: the row is committed (SQLite WAL, synchronous=FULL) before 201 is sent.

    404 when `prediction_id` is unknown (after waiting up to TRIAGE_FEEDBACK_WAIT_MS for another
    worker to commit it).
    """
    values = body.model_dump()
    if values.get("comment"):  # free text an agent types can name the requester
        values["comment"] = privacy.text(values["comment"])
    record = FeedbackRecord(**values)
    wait_s = settings.feedback_wait_ms / 1000  # another worker's prediction
    feedback_id = await run_in_threadpool(record_feedback_waiting, store, record, wait_s)
    metrics.feedback.labels(body.outcome).inc()
    return FeedbackOut(feedback_id=feedback_id)
