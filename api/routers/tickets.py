"""POST /v1/tickets/resolved: a closed ticket becomes searchable and scores its prediction."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.admission import Admission, AdmissionDep
from api.consistency import prediction_ticket_waiting
from api.deps import FlushedPredictions, HolderDep, ModelHolder, SettingsDep, StoreDep
from api.desired_bundle import BundleFollower, FollowerDep
from api.errors import invalid_field
from api.integrity import PredictionOfAnotherTicket, TicketWriteConflict, check_ticket_writer
from api.privacy import PrivacyDep
from api.schemas import ANON_PREFIX, ResolvedIn, ResolvedOut
from api.security import TriageScope
from triage.errors import TicketValueError, TriageError, WriteConflict
from triage.schema import Ticket
from triage.store.protocol import FeedbackStore
from triage.store.records import ApiKey, ResolvedRecord

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["tickets"], dependencies=[TriageScope])


async def _make_searchable(admission: Admission, follower: BundleFollower, ticket: Ticket) -> bool:
    try:
        return await admission.execute(follower.log.index_local, follower.holder, ticket)
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
async def post_resolved(
    body: ResolvedIn,
    store: StoreDep,
    holder: HolderDep,
    admission: AdmissionDep,
    privacy: PrivacyDep,
    follower: FollowerDep,
    settings: SettingsDep,
    key: ApiKey = TriageScope,
) -> Any:
    """Stores the final labels (committed first, attributed to the key), then adds the ticket to
    the similar index; personal data is redacted first, so neither holds it. Only the key that
    first wrote a ticket, or an admin key, may change it (403); 429 when the inference queue is
    full (nothing stored then). `prediction_id` must name a prediction of this ticket (404
    unknown, after waiting up to TRIAGE_FEEDBACK_WAIT_MS for another worker; 409 when it was
    made for another ticket id), so production precision never scores one ticket's labels
    against another's."""
    try:
        ticket = privacy.ticket(body.ticket.to_ticket(body.ticket.ticket_id))
    except TicketValueError as exc:
        raise invalid_field(exc, "ticket") from exc
    if body.prediction_id:
        wait_s = settings.feedback_wait_ms / 1000
        owner = await run_in_threadpool(
            prediction_ticket_waiting, store, body.prediction_id, wait_s
        )
        _check_link(body.prediction_id, owner, ticket.ticket_id)
    record = ResolvedRecord(ticket=ticket, prediction_id=body.prediction_id, key_id=key.key_id)
    async with admission.slot():
        resolved_id = await run_in_threadpool(_record, store, holder, key, record)
        searchable = await _make_searchable(admission, follower, ticket)
    return ResolvedOut(resolved_id=resolved_id, searchable=searchable)


def _check_link(prediction_id: str, owner: str, ticket_id: str) -> None:
    """A prediction made for another ticket is refused, unless that ticket had no id then (the
    service named it `anon-...`: triaged before the ticket system gave it one)."""
    if owner != ticket_id and not owner.startswith(ANON_PREFIX):
        raise PredictionOfAnotherTicket(
            f"prediction_id: prediction {prediction_id} was made for ticket {owner}, not "
            f"{ticket_id}; send the prediction_id of this ticket, or none"
        )


def _record(store: FeedbackStore, holder: ModelHolder, key: ApiKey, record: ResolvedRecord) -> int:
    seen = check_ticket_writer(store, holder.current, key, record.ticket.ticket_id)
    try:
        return store.record_resolved(record, seen_writes=seen)
    except WriteConflict as exc:
        raise TicketWriteConflict(str(exc)) from exc
