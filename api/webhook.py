"""Webhook deliveries: HMAC-signed JSON POSTs, retried with exponential back-off, on a thread of
their own so no request ever waits for a receiver.

Each POST carries `X-Triage-Event`, `X-Triage-Delivery` (a unique id, the same on every retry),
`X-Triage-Timestamp` (Unix seconds) and `X-Triage-Signature: sha256=<hex>`, the HMAC-SHA256 with
the shared secret of `<timestamp>.<body>`. A receiver recomputes it (`verify`), compares in
constant time and refuses old timestamps, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import queue
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
"""Statuses worth retrying; any other 4xx means the receiver refuses the delivery for good."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, tolerance_s: float = 300.0
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    try:
        age = abs(time.time() - float(timestamp))
    except ValueError:
        return False
    return age <= tolerance_s and hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event to deliver."""

    event: str
    payload: dict[str, Any]
    delivery_id: str


class WebhookSender:
    """Delivers events to one URL from a background thread.

    `send` only enqueues (never blocks; when `capacity` events are waiting the event is dropped
    and counted). A failed attempt (connection error, timeout, or a status in `RETRY_STATUSES`)
    is retried up to `max_attempts` in all, waiting `backoff_s * 2**attempt` (times 0.5-1.5
    jitter, at most `max_backoff_s`) in between. `observe(outcome)` is told "delivered",
    "failed" or "dropped" for every event (metrics).
    """

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        max_attempts: int = 6,
        backoff_s: float = 1.0,
        max_backoff_s: float = 300.0,
        timeout_s: float = 5.0,
        capacity: int = 1000,
        observe: Callable[[str], None] | None = None,
    ) -> None:
        self.url, self._secret = url, secret
        self.max_attempts, self.backoff_s, self.max_backoff_s = (
            max_attempts,
            backoff_s,
            max_backoff_s,
        )
        self.timeout_s = timeout_s
        self._queue: queue.Queue[Delivery | None] = queue.Queue(maxsize=capacity)
        self._observe = observe or (lambda outcome: None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook", daemon=True)
        self.attempts = 0

    def start(self) -> None:
        self._thread.start()

    def send(self, event: str, payload: dict[str, Any]) -> str:
        """Queue an event; returns its delivery id (the receiver sees it on every retry)."""
        delivery = Delivery(event, payload, uuid.uuid4().hex)
        try:
            self._queue.put_nowait(delivery)
        except queue.Full:
            logger.warning("webhook queue full: event %s dropped", event)
            self._observe("dropped")
        return delivery.delivery_id

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop after the delivery in progress (waiting events are abandoned)."""
        self._stop.set()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            delivery = self._queue.get()
            if delivery is None:
                return
            self._observe("delivered" if self._deliver(delivery) else "failed")

    def _deliver(self, delivery: Delivery) -> bool:
        body = json.dumps(
            {"event": delivery.event, "delivery_id": delivery.delivery_id, **delivery.payload},
            default=str,
        ).encode()
        for attempt in range(self.max_attempts):
            retry = self._attempt(delivery, body)
            if retry is None:
                return True
            if not retry or attempt == self.max_attempts - 1:
                break
            delay = min(self.max_backoff_s, self.backoff_s * 2**attempt) * random.uniform(0.5, 1.5)
            if self._stop.wait(delay):
                break
        logger.warning("webhook %s to %s not delivered", delivery.event, self.url)
        return False

    def _attempt(self, delivery: Delivery, body: bytes) -> bool | None:
        """None when delivered; else whether to retry."""
        self.attempts += 1
        timestamp = str(int(time.time()))
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("X-Triage-Event", delivery.event)
        request.add_header("X-Triage-Delivery", delivery.delivery_id)
        request.add_header("X-Triage-Timestamp", timestamp)
        request.add_header("X-Triage-Signature", sign(self._secret, timestamp, body))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                response.read()
            return None
        except urllib.error.HTTPError as exc:
            logger.info("webhook attempt got HTTP %d", exc.code)
            return exc.code in RETRY_STATUSES
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            logger.info("webhook attempt failed: %s", exc)
            return True
