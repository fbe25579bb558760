"""POST /v1/admin/keys/{key_id}/revoke and /purge-feedback (admin scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import StoreDep
from api.schemas import KeyRevokedOut, PurgedOut
from api.security import AdminScope
from api.state import request_state
from triage.errors import NotFoundError

router = APIRouter(prefix="/v1/admin/keys", tags=["admin"], dependencies=[AdminScope])

KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{1,32}$", description="The key's public id.")]


@router.post("/{key_id}/revoke", response_model=KeyRevokedOut, summary="Revoke an API key")
async def revoke(key_id: KeyId, request: Request, store: StoreDep) -> Any:
    """Refused from now on, in this worker at once and in the others within
    `TRIAGE_KEY_RECHECK_S`; 404 for an unknown key id."""
    key = await run_in_threadpool(store.revoke_key, key_id)
    request_state(request).keys.invalidate()
    return KeyRevokedOut(key_id=key.key_id, revoked_at=key.revoked_at)


@router.post("/{key_id}/purge-feedback", response_model=PurgedOut, summary="Purge a key's feedback")
async def purge_feedback(key_id: KeyId, store: StoreDep) -> Any:
    """Delete every feedback the key sent (e.g. a compromised or careless key), so none of it
    reaches the next training export; the key itself stays as it is (revoke it separately).
    404 for an unknown key id (as revoke), so a mistyped id is not a silent "0 deleted"."""
    if await run_in_threadpool(store.get_key, key_id) is None:
        raise NotFoundError(f"API key {key_id} not found; purge the id the key was created with")
    return PurgedOut(key_id=key_id, deleted=await run_in_threadpool(store.purge_feedback, key_id))
