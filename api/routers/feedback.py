"""POST /v1/feedback: what an agent did with a prediction (committed before the response)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.consistency import prediction_ticket_waiting
from api.deps import FlushedPredictions, HolderDep, MetricsDep, SettingsDep, StoreDep
from api.integrity import check_corrections, check_feedback_cap, check_references
from api.privacy import PrivacyDep
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
    body: FeedbackIn,
    store: StoreDep,
    metrics: MetricsDep,
    settings: SettingsDep,
    holder: HolderDep,
    privacy: PrivacyDep,
    key: ApiKey = AgentScope,
) -> Any:
    """Stored durably: the row is committed (SQLite WAL, synchronous=FULL) before 201 is sent.

    404 when `prediction_id` is unknown (after waiting up to TRIAGE_FEEDBACK_WAIT_MS for another
    worker to commit it); 422 when a correction is not a label of the served model; 429 once
    the key sent `TRIAGE_FEEDBACK_DAILY_CAP` feedback in 24 hours; 404 when `kb_article_id` or
    `solved_by_ticket_id` is not in the served knowledge base or similar-ticket index.
    """
    triager = holder.require().triager
    if body.corrections:  # only labels the model knows flow into the training export
        check_corrections(triager.manifest, body.corrections)
    wait_s = settings.feedback_wait_ms / 1000  # another worker's prediction
    await run_in_threadpool(prediction_ticket_waiting, store, body.prediction_id, wait_s)
    check_references(triager.retriever, body.kb_article_id, body.solved_by_ticket_id)
    await run_in_threadpool(check_feedback_cap, store, key, settings.feedback_daily_cap)
    values = body.model_dump()
    if values.get("comment"):  # free text an agent types can name the requester
        values["comment"] = privacy.text(values["comment"])
    record = FeedbackRecord(**values, key_id=key.key_id)
    feedback_id = await run_in_threadpool(store.record_feedback, record)
    metrics.feedback.labels(body.outcome).inc()
    return FeedbackOut(feedback_id=feedback_id)
