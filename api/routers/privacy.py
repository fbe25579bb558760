"""POST /v1/admin/erase (admin scope): a person's tickets out of the live index, the database,
the served bundle's files; an audit row without personal data."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, model_validator

from api.deps import ExecutorDep, FlushedPredictions, HolderDep, StoreDep
from api.privacy import PrivacyDep
from api.schemas import Strict
from api.security import AdminScope
from triage.privacy import erasure, folders
from triage.privacy.erasure import ErasureRequest, ErasureResult
from triage.privacy.guard import TicketPrivacy

router = APIRouter(prefix="/v1", tags=["admin"], dependencies=[AdminScope])

TicketId = Annotated[str, Field(min_length=1, max_length=200)]


class EraseIn(Strict):
    """Exactly one of: a requester (every ticket of theirs), ticket ids, or a retention."""

    requester: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        None, description="E-mail address or name as the ticket system sends it."
    )
    ticket_ids: list[TicketId] = Field(default_factory=list, max_length=1000)  # < the body limit
    older_than_months: Annotated[int, Field(ge=1, le=1200)] | None = Field(
        None, description="Retention: every ticket created longer ago than this."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> EraseIn:
        given = [bool(self.requester), bool(self.ticket_ids), self.older_than_months is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of requester, ticket_ids or older_than_months")
        return self


class EraseOut(BaseModel):
    kind: str
    subject_hash: str = Field(description="Keyed hash of who or what was erased (for the audit).")
    tickets: int
    counts: dict[str, int]
    audit_id: int | None


def _in_live_index(
    request: ErasureRequest, privacy: TicketPrivacy, holder: Any, in_store: set[str]
) -> tuple[set[str], int]:
    """On the inference thread (where the index is searched and grows): add the request's
    tickets in the live index to those found in the store, and remove them all from it."""
    current = holder.current
    retriever = current.triager.retriever if current is not None else None
    live = [retriever] if retriever is not None and hasattr(retriever, "tickets") else []
    ids = in_store | erasure.find_tickets(request, privacy, None, live)
    removed = sum(folders.remove_from_retriever(r, ids) for r in live)
    return ids, removed


def _in_store_and_files(
    request: ErasureRequest,
    privacy: TicketPrivacy,
    engine: Any,
    found: tuple[set[str], int],
    bundle_dir: Path | None,
    actor: str,
) -> ErasureResult:
    ids, removed = found
    result = ErasureResult(request.kind, erasure.subject_hash(request, privacy), ids)
    result.counts, _ = erasure.erase_in_store(engine, ids)
    result.counts["index_live"] = removed
    folder = [bundle_dir] if bundle_dir is not None and bundle_dir.is_dir() else []
    result.counts["index_files"] = sum(folders.erase_from_folder(f, ids) for f in folder)
    return erasure.audit(request, privacy, engine, result, actor)


@router.post(
    "/admin/erase",
    response_model=EraseOut,
    summary="Erase a person's tickets (GDPR art. 17) or old ones",
    dependencies=[FlushedPredictions],  # queued prediction records are erased too
)
async def post_erase(
    body: EraseIn,
    request: Request,
    holder: HolderDep,
    store: StoreDep,
    executor: ExecutorDep,
    privacy: PrivacyDep,
) -> Any:
    """Removes the tickets from the live index at once, then their predictions, feedback and
    resolutions from the database and their index entries from the served bundle's files
    (rewritten, still loadable); records who erased how many, never who was erased."""
    wanted = ErasureRequest(body.requester, tuple(body.ticket_ids), body.older_than_months)
    engine = getattr(store, "engine")  # noqa: B009 (the SQL store; the protocol has no engine)
    # The store is scanned off the inference thread; only the index work runs on it.
    in_store = await run_in_threadpool(erasure.find_tickets, wanted, privacy, engine)
    loop = asyncio.get_running_loop()
    found = await loop.run_in_executor(executor, _in_live_index, wanted, privacy, holder, in_store)
    current = holder.current
    actor = f"key:{getattr(request.state, 'key_id', 'unknown')}"
    result = await run_in_threadpool(
        _in_store_and_files,
        wanted,
        privacy,
        engine,
        found,
        current.bundle_dir if current is not None else None,
        actor,
    )
    return EraseOut(**result.summary())
