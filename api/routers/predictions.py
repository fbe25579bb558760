"""GET /v1/predictions: the latest stored predictions, for an agent to reopen one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import FlushedPredictions, StoreDep
from api.security import AgentScope
from triage.store.records import PredictionRecord

router = APIRouter(prefix="/v1", tags=["feedback"], dependencies=[AgentScope])


class StoredLabelOut(BaseModel):
    """What a prediction record keeps per target."""

    label: str
    confidence: float
    action: str


class RecentPredictionOut(BaseModel):
    """A stored prediction with its ticket text; send `prediction_id` back with feedback."""

    prediction_id: str
    created_at: datetime
    model_version: str
    ticket_id: str
    subject: str
    body: str
    channel: str | None
    language: str | None
    predictions: dict[str, StoredLabelOut]

    @classmethod
    def of(cls, record: PredictionRecord) -> RecentPredictionOut:
        ticket = record.ticket
        return cls(
            prediction_id=record.prediction_id,
            created_at=record.created_at,
            model_version=record.model_version,
            ticket_id=ticket.ticket_id,
            subject=ticket.subject,
            body=ticket.body,
            channel=ticket.channel.value if ticket.channel else None,
            language=ticket.language,
            predictions={t: StoredLabelOut(**v) for t, v in record.labels.items()},
        )


class RecentPredictionsOut(BaseModel):
    predictions: list[RecentPredictionOut]


@router.get(
    "/predictions",
    response_model=RecentPredictionsOut,
    summary="Recent predictions",
    dependencies=[FlushedPredictions],  # a prediction just answered is listed
)
async def recent(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=100, description="How many, newest first.")] = 20,
) -> Any:
    """The latest `limit` predictions with their ticket text and stored labels (personal data:
    agent scope)."""
    records = await run_in_threadpool(store.recent_predictions, limit)
    return RecentPredictionsOut(predictions=[RecentPredictionOut.of(r) for r in records])
