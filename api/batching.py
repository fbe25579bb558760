"""Micro-batching of concurrent requests onto one inference thread, with a bounded queue."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from api.errors import Overloaded

logger = logging.getLogger(__name__)

In = TypeVar("In")
Out = TypeVar("Out")


@dataclass(slots=True)
class _Job(Generic[In, Out]):
    items: list[In]
    future: asyncio.Future[list[Out]] = field(repr=False)


@dataclass(frozen=True, slots=True)
class FirstStage(Generic[In]):
    """Work a batch can do on its own thread before `fn` (the embedding, which runs without
    the GIL): `prepare(items)` on `executor`, whose result `fn` then receives instead of the
    items. While `fn` runs one batch, the next batch's `prepare` runs beside it."""

    prepare: Callable[[list[In]], Any]
    executor: Executor


class MicroBatcher(Generic[In, Out]):
    """Groups concurrent submissions into calls of `fn(items) -> outputs` on one worker thread.

    At most `max_batch` items per call; after the first job arrives it waits up to `max_wait_s`
    for more (0: take only what is already queued, so a lone request pays no wait). A submission
    is refused with `Overloaded` (429, Retry-After from the measured seconds per item) when more
    than `capacity` items would be waiting, or when the expected wait for it (items ahead x the
    measured seconds per item) would pass `max_queue_wait_s`: the queue is bounded in time as well
    as in tickets, so an accepted request never waits unboundedly. The event loop never runs `fn`.

    With a `first` stage a batch is `fn(first.prepare(items))`, the two on their own threads: at
    most one batch in each, in order, so the next batch is prepared while `fn` runs this one.
    """

    def __init__(
        self,
        fn: Callable[[Any], list[Out]],
        executor: Executor,
        max_batch: int = 32,
        max_wait_s: float = 0.0,
        capacity: int = 256,
        max_queue_wait_s: float = float("inf"),
        first: FirstStage[In] | None = None,
    ) -> None:
        self.fn, self.executor, self.first = fn, executor, first
        self.max_batch, self.max_wait_s, self.capacity = max_batch, max_wait_s, capacity
        self.max_queue_wait_s = max_queue_wait_s
        self._queue: asyncio.Queue[_Job[In, Out]] = asyncio.Queue()
        self._pending = 0
        self._seconds_per_item = 0.01
        self._task: asyncio.Task[None] | None = None
        self._second: asyncio.Task[None] | None = None  # the batch in `fn` (with a first stage)
        self._last_done = -math.inf
        self.batches = 0

    @property
    def pending(self) -> int:
        """Items queued or being processed."""
        return self._pending

    @property
    def seconds_per_item(self) -> float:
        """Measured inference seconds per ticket (moving average; 10 ms before the first)."""
        return self._seconds_per_item

    def start(self) -> None:
        """Start the collector task on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="micro-batcher")

    async def stop(self) -> None:
        """Stop collecting; queued jobs fail with `Overloaded`."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._second is not None:  # the batch already in `fn` is answered
            await asyncio.gather(self._second, return_exceptions=True)
        while not self._queue.empty():
            self._fail([self._queue.get_nowait()], Overloaded("service is shutting down; retry"))

    def retry_after(self) -> int:
        """Seconds a refused client should wait: the time to drain the queue, 1 to 30."""
        return max(1, min(30, math.ceil(self._pending * self._seconds_per_item)))

    async def submit(self, items: list[In]) -> list[Out]:
        """Outputs for `items`, in order, once their batch ran; raises `Overloaded` when full."""
        if self._pending > 0:
            self._refuse_if_full(len(items))
        future: asyncio.Future[list[Out]] = asyncio.get_running_loop().create_future()
        self._pending += len(items)
        self._queue.put_nowait(_Job(items, future))
        return await future

    def _refuse_if_full(self, n: int) -> None:
        wait_s = (self._pending + n) * self._seconds_per_item
        if self._pending + n <= self.capacity and wait_s <= self.max_queue_wait_s:
            return
        seconds = self.retry_after()
        reason = (
            f"capacity {self.capacity}"
            if self._pending + n > self.capacity
            else f"expected wait {wait_s:.1f} s > {self.max_queue_wait_s:g} s"
        )
        raise Overloaded(
            f"{self._pending} tickets queued ({reason}); retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )

    async def _collect(self) -> list[_Job[In, Out]]:
        jobs = [await self._queue.get()]
        size = len(jobs[0].items)
        deadline = time.monotonic() + self.max_wait_s
        while size < self.max_batch:
            job = (
                self._queue.get_nowait() if not self._queue.empty() else await self._wait(deadline)
            )
            if job is None:
                break
            jobs.append(job)
            size += len(job.items)
        return jobs

    async def _wait(self, deadline: float) -> _Job[In, Out] | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        try:
            return await asyncio.wait_for(self._queue.get(), remaining)
        except TimeoutError:
            return None

    async def _run(self) -> None:
        while True:
            jobs = await self._collect()
            items = [item for job in jobs for item in job.items]
            if self.first is None:
                await self._finish(jobs, items, items, time.perf_counter())
            else:
                await self._pipelined(jobs, items, self.first)

    async def _pipelined(
        self, jobs: list[_Job[In, Out]], items: list[In], first: FirstStage[In]
    ) -> None:
        """Prepare this batch while the previous one is in `fn`; hand it to `fn` once that is
        free, and return (to collect the next batch) without waiting for `fn`."""
        started = time.perf_counter()
        try:
            prepared = await asyncio.get_running_loop().run_in_executor(
                first.executor, first.prepare, items
            )
            if self._second is not None:
                # `_finish` never raises (failures go to the jobs); shielded, so that stopping
                # the collector here does not cancel the batch already in `fn`.
                await asyncio.shield(self._second)
        except (Exception, asyncio.CancelledError) as exc:
            self._pending -= len(items)
            stopping = isinstance(exc, asyncio.CancelledError)
            self._fail(jobs, Overloaded("service is shutting down; retry") if stopping else exc)
            if stopping:
                raise
            return
        task = asyncio.get_running_loop().create_task(self._finish(jobs, items, prepared, started))
        self._second = task

    async def _finish(
        self, jobs: list[_Job[In, Out]], items: list[In], given: Any, started: float
    ) -> None:
        """Run `fn(given)` on the executor and answer the jobs (results or the error)."""
        try:
            outputs = await asyncio.get_running_loop().run_in_executor(
                self.executor, self.fn, given
            )
        except Exception as exc:
            self._fail(jobs, exc)
            return
        finally:
            self._pending -= len(items)
        now = time.perf_counter()
        # Busy, a batch's time runs from the previous batch's end (the rate the queue drains);
        # idle, from its own start.
        self._learn(now - max(started, self._last_done), len(items))
        self._last_done = now
        self._deliver(jobs, outputs)

    def _learn(self, seconds: float, n: int) -> None:
        per_item = seconds / max(n, 1)
        # The first measurement replaces the 10 ms guess; later ones move an average.
        weight = 1.0 if self.batches == 0 else 0.2
        self._seconds_per_item = (1 - weight) * self._seconds_per_item + weight * per_item
        self.batches += 1

    @staticmethod
    def _deliver(jobs: list[_Job[In, Out]], outputs: list[Any]) -> None:
        start = 0
        for job in jobs:
            end = start + len(job.items)
            if not job.future.done():
                job.future.set_result(outputs[start:end])
            start = end

    def _fail(self, jobs: list[_Job[In, Out]], exc: BaseException) -> None:
        for job in jobs:
            if not job.future.done():
                job.future.set_exception(exc)
