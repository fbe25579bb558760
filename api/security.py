"""API-key authentication with scopes (`triage`, `agent`, `lead`, `admin`); keys hashed at rest."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader

from api.errors import Forbidden, Unauthorized
from api.state import request_state
from triage.store.keys import hash_key, verify_key
from triage.store.protocol import FeedbackStore
from triage.store.records import ApiKey

HEADER = "X-API-Key"
_header = APIKeyHeader(
    name=HEADER, auto_error=False, description="`trk_...` key from `triage keys create`"
)


class KeyCache:
    """Verified keys for `ttl_s` seconds, keyed by the presented key's SHA-256 (never the key).

    Revocation reaches every process within `recheck_s`: at most that often a lookup reads when
    a key was last revoked (one indexed MAX over the keys table) and, when it moved, forgets
    every cached key. A revocation in this process (`invalidate`) takes effect at once.
    """

    def __init__(self, store: FeedbackStore, ttl_s: float = 30.0, recheck_s: float = 1.0) -> None:
        self.store, self.ttl_s, self.recheck_s = store, ttl_s, recheck_s
        self._cache: dict[str, tuple[float, ApiKey, int]] = {}
        self._generation = 0
        self._checked_at = -math.inf
        self._last_revocation: datetime | None = None

    def cached(self, presented: str) -> ApiKey | None:
        """The key for a presented secret if verified within `ttl_s` and no revocation check is
        due; cheap, no I/O (the event loop calls it, so most requests never hop to a thread)."""
        if time.monotonic() - self._checked_at > self.recheck_s:
            return None
        hit = self._cache.get(hash_key(presented))
        if hit is None or hit[0] <= time.monotonic() or hit[2] != self._generation:
            return None
        return hit[1]

    def lookup(self, presented: str) -> ApiKey | None:
        """The key for a presented secret, from cache or the store (constant-time comparison)."""
        self._recheck()
        hit = self.cached(presented)
        if hit is not None:
            return hit
        generation = self._generation  # a revocation seen while we verify voids this entry
        key = verify_key(self.store, presented)
        if key is not None:
            self._cache[hash_key(presented)] = (time.monotonic() + self.ttl_s, key, generation)
        return key

    def invalidate(self) -> None:
        """Forget every cached key (a key was revoked)."""
        self._generation += 1
        self._cache.clear()

    def _recheck(self) -> None:
        now = time.monotonic()
        if now - self._checked_at <= self.recheck_s:
            return
        latest = self.store.last_revocation()
        if latest != self._last_revocation:
            self._last_revocation = latest
            self.invalidate()
        self._checked_at = now


async def _verified(request: Request, presented: str | None) -> ApiKey | Unauthorized:
    """The key a presented secret belongs to, or why it is refused (missing, malformed,
    unknown or revoked)."""
    if not presented:
        return Unauthorized(
            f"send an API key in the {HEADER} header (create one: triage keys create)"
        )
    if len(presented) > 200:
        return Unauthorized("API key malformed; send the key `triage keys create` printed")
    cache = request_state(request).keys
    key = cache.cached(presented) or await run_in_threadpool(cache.lookup, presented)
    if key is None:
        return Unauthorized("API key unknown or revoked; create one with `triage keys create`")
    return key


async def refusal(request: Request) -> Unauthorized | None:
    """Why `current_key` would refuse this request's key (None: it would not), without taking
    from its rate limit: the error handlers ask it, so a request FastAPI rejects while reading
    its body (malformed JSON, another Content-Type) answers 401 to a caller without a valid
    key, as every other request does, rather than describing the body first."""
    found = await _verified(request, request.headers.get(HEADER))
    return found if isinstance(found, Unauthorized) else None


async def current_key(request: Request, presented: str | None = Security(_header)) -> ApiKey:
    """The caller's key; 401 when missing or unknown."""
    found = await _verified(request, presented)
    if isinstance(found, Unauthorized):
        raise found
    request.state.key_id = found.key_id
    request_state(request).rate_limits.take(found.key_id)
    return found


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
