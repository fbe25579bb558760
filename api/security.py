"""API-key authentication with scopes (`triage`, `agent`, `lead`, `admin`); keys hashed at rest."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader

from api.errors import Forbidden, Unauthorized
from triage.store.keys import hash_key, verify_key
from triage.store.protocol import FeedbackStore
from triage.store.records import ApiKey

HEADER = "X-API-Key"
_header = APIKeyHeader(
    name=HEADER, auto_error=False, description="`trk_...` key from `triage keys create`"
)


class KeyCache:
    """Verified keys for `ttl_s` seconds, keyed by the presented key's SHA-256 (never the key)."""

    def __init__(self, store: FeedbackStore, ttl_s: float = 30.0) -> None:
        self.store, self.ttl_s = store, ttl_s
        self._cache: dict[str, tuple[float, ApiKey]] = {}

    def cached(self, presented: str) -> ApiKey | None:
        """The key for a presented secret if verified within `ttl_s`; cheap, no I/O (the
        event loop calls it, so most requests never hop to a thread for authentication)."""
        hit = self._cache.get(hash_key(presented))
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def lookup(self, presented: str) -> ApiKey | None:
        """The key for a presented secret, from cache or the store (constant-time comparison)."""
        hit = self.cached(presented)
        if hit is not None:
            return hit
        key = verify_key(self.store, presented)
        if key is not None:
            self._cache[hash_key(presented)] = (time.monotonic() + self.ttl_s, key)
        return key


async def current_key(request: Request, presented: str | None = Security(_header)) -> ApiKey:
    """The caller's key; 401 when missing or unknown."""
    if not presented:
        raise Unauthorized(
            f"send an API key in the {HEADER} header (create one: triage keys create)"
        )
    if len(presented) > 200:
        raise Unauthorized("API key malformed; send the key `triage keys create` printed")
    cache: KeyCache = request.app.state.keys
    key = cache.cached(presented) or await run_in_threadpool(cache.lookup, presented)
    if key is None:
        raise Unauthorized("API key unknown or revoked; create one with `triage keys create`")
    request.state.key_id = key.key_id
    return key


def require(scope: str) -> Callable[..., object]:
    """Dependency that admits keys holding `scope` (admin holds all); 403 otherwise."""

    async def check(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
        if not key.allows(scope):
            raise Forbidden(f"this key has scopes {sorted(key.scopes)}; this route needs `{scope}`")
        return key

    return check


TriageScope = Depends(require("triage"))
AgentScope = Depends(require("agent"))
LeadScope = Depends(require("lead"))
AdminScope = Depends(require("admin"))
