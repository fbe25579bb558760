"""Per-key rate limits: a token bucket per API key id, refilled at `rate` tokens per second."""

from __future__ import annotations

import math
import threading
import time

from api.errors import ApiError


class RateLimited(ApiError):
    status, slug, title = 429, "rate-limited", "Too many requests from this key"


class RateLimiter:
    """`rate` requests per second per key with bursts of up to `burst` (0 rate: no limit).

    Per process: with N workers a key gets up to N x `rate` (each worker keeps its buckets).
    """

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, at monotonic s)
        self._lock = threading.Lock()

    def take(self, key_id: str) -> None:
        """Spend one token of `key_id`'s bucket, or `RateLimited` (429, Retry-After)."""
        if self.rate <= 0:
            return
        with self._lock:
            now = time.monotonic()
            tokens, at = self._buckets.get(key_id, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[key_id] = (tokens, now)
                seconds = max(1, math.ceil((1.0 - tokens) / self.rate))
                raise RateLimited(
                    f"key {key_id} is limited to {self.rate:g} requests/s (bursts of "
                    f"{self.burst}, TRIAGE_RATE_LIMIT_PER_S); retry in {seconds} s",
                    headers={"Retry-After": str(seconds)},
                )
            self._buckets[key_id] = (tokens - 1.0, now)
