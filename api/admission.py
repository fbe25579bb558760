"""Admission control for work sent straight to the inference thread (search, resolved-ticket
indexing): refused with 429 and Retry-After when the queue is full, as `/v1/triage` is."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from api.batching import MicroBatcher
from api.errors import Overloaded
from api.state import request_state

T = TypeVar("T")


class Admission:
    """Counts jobs queued on the inference thread outside the micro-batcher and refuses one when
    the tickets already waiting (batcher + direct jobs) would pass `capacity`, or their expected
    wait (each costs the batcher's measured seconds per item) would pass `max_wait_s`."""

    def __init__(
        self,
        batcher: MicroBatcher[Any, Any],
        executor: Executor,
        capacity: int,
        max_wait_s: float,
    ) -> None:
        self.batcher, self.executor = batcher, executor
        self.capacity, self.max_wait_s = capacity, max_wait_s
        self._pending = 0

    @property
    def pending(self) -> int:
        """Direct jobs queued or running."""
        return self._pending

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a place in the queue, or `Overloaded` (429) when it is full; take it before
        anything is stored, so a refused request has changed nothing."""
        self._admit()
        self._pending += 1
        try:
            yield
        finally:
            self._pending -= 1

    async def execute(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on the inference thread (inside a `slot`)."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on the inference thread, or `Overloaded` (429) when the queue is full."""
        async with self.slot():
            return await self.execute(fn, *args)

    def _admit(self) -> None:
        ahead = self.batcher.pending + self._pending
        per_item = self.batcher.seconds_per_item
        wait_s = (ahead + 1) * per_item
        if ahead + 1 <= self.capacity and wait_s <= self.max_wait_s:
            return
        seconds = max(1, min(30, math.ceil(ahead * per_item)))
        reason = (
            f"capacity {self.capacity}"
            if ahead + 1 > self.capacity
            else f"expected wait {wait_s:.1f} s > {self.max_wait_s:g} s"
        )
        raise Overloaded(
            f"{ahead} jobs queued for inference ({reason}); retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


def get_admission(request: Request) -> Admission:
    """The app's `Admission` (made at start-up beside the batcher)."""
    return request_state(request).admission


AdmissionDep = Annotated[Admission, Depends(get_admission)]
