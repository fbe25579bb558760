"""The micro-batcher: batches concurrent work, keeps order, bounds the queue, stays off the loop."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.batching import FirstStage, MicroBatcher
from api.errors import Overloaded


class Recorder:
    """fn(items) -> items*10, blocked until `gate` opens; records batches and threads."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.batches: list[list[int]] = []
        self.threads: set[str] = set()

    def __call__(self, items: list[int]) -> list[int]:
        self.gate.wait(timeout=10)
        self.batches.append(list(items))
        self.threads.add(threading.current_thread().name)
        return [i * 10 for i in items]


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def _with_batcher(fn, body, **kwargs):  # type: ignore[no-untyped-def]
    executor = ThreadPoolExecutor(1, thread_name_prefix="inference")
    batcher: MicroBatcher[int, int] = MicroBatcher(fn, executor, **kwargs)
    batcher.start()
    try:
        return await body(batcher)
    finally:
        await batcher.stop()
        executor.shutdown()


def test_batching_groups_concurrent_requests_in_order() -> None:
    rec = Recorder()

    async def body(b: MicroBatcher[int, int]) -> list[list[int]]:
        first = asyncio.create_task(b.submit([0]))
        await asyncio.sleep(0.05)  # the first call is running (blocked); the rest queue up
        rest = [asyncio.create_task(b.submit([i, i + 100])) for i in range(1, 9)]
        await asyncio.sleep(0.05)
        rec.gate.set()
        return await asyncio.gather(first, *rest)

    results = _run(_with_batcher(rec, body, max_batch=32))
    assert results[0] == [0]
    assert results[1:] == [[i * 10, (i + 100) * 10] for i in range(1, 9)]
    assert [len(b) for b in rec.batches] == [1, 16]
    assert rec.threads == {"inference_0"}


def test_batching_respects_max_batch() -> None:
    rec = Recorder()
    rec.gate.set()

    async def body(b: MicroBatcher[int, int]) -> None:
        await asyncio.gather(*(b.submit([i]) for i in range(10)))

    _run(_with_batcher(rec, body, max_batch=4))
    assert all(len(batch) <= 4 for batch in rec.batches)
    assert sorted(i for batch in rec.batches for i in batch) == list(range(10))


def test_batching_full_queue_raises_overloaded_with_retry_after() -> None:
    rec = Recorder()

    async def body(b: MicroBatcher[int, int]) -> Overloaded:
        held = [asyncio.create_task(b.submit([i])) for i in range(4)]
        await asyncio.sleep(0.05)
        with pytest.raises(Overloaded) as info:
            await b.submit([99])
        rec.gate.set()
        await asyncio.gather(*held)
        return info.value

    error = _run(_with_batcher(rec, body, capacity=4))
    assert error.status == 429
    assert 1 <= int(error.headers["Retry-After"]) <= 30


def test_batching_errors_reach_every_waiting_request() -> None:
    def broken(items: list[int]) -> list[int]:
        raise RuntimeError("model exploded")

    async def body(b: MicroBatcher[int, int]) -> list[object]:
        return await asyncio.gather(b.submit([1]), b.submit([2]), return_exceptions=True)

    results = _run(_with_batcher(broken, body))
    assert all(isinstance(r, RuntimeError) for r in results)


def test_batching_event_loop_stays_free_while_inference_runs() -> None:
    rec = Recorder()

    async def body(b: MicroBatcher[int, int]) -> int:
        task = asyncio.create_task(b.submit([1]))
        ticks = 0
        for _ in range(5):  # the loop keeps running while fn is blocked in its thread
            await asyncio.sleep(0.01)
            ticks += 1
        assert not task.done()
        rec.gate.set()
        await task
        return ticks

    assert _run(_with_batcher(rec, body)) == 5


def test_batching_refuses_when_the_expected_wait_is_too_long() -> None:
    """Bounded in time: with 0.5 s measured per item, a third waiting item means 1.5 s > 1.2 s."""

    def slow(items: list[int]) -> list[int]:
        threading.Event().wait(0.5 * len(items))
        return items

    async def body(b: MicroBatcher[int, int]) -> tuple[list[int], Overloaded]:
        await b.submit([0])  # teaches the batcher ~0.5 s per item
        held = [asyncio.create_task(b.submit([i])) for i in range(1, 3)]
        await asyncio.sleep(0.05)
        with pytest.raises(Overloaded) as info:
            await b.submit([99])  # capacity (256) is far away; the wait is not
        done = await asyncio.gather(*held)
        return [x for d in done for x in d], info.value

    answered, error = _run(_with_batcher(slow, body, max_batch=1, max_queue_wait_s=1.2))
    assert answered == [1, 2]
    assert error.status == 429 and "expected wait" in error.detail
    assert 1 <= int(error.headers["Retry-After"]) <= 30


async def _with_stages(fn, prepare, body, **kwargs):  # type: ignore[no-untyped-def]
    inference = ThreadPoolExecutor(1, thread_name_prefix="inference")
    embedding = ThreadPoolExecutor(1, thread_name_prefix="embedding")
    first = FirstStage(prepare, embedding)
    batcher: MicroBatcher[int, int] = MicroBatcher(fn, inference, first=first, **kwargs)
    batcher.start()
    try:
        return await body(batcher)
    finally:
        await batcher.stop()
        inference.shutdown()
        embedding.shutdown()


def test_batching_first_stage_prepares_the_next_batch_while_fn_runs() -> None:
    rec = Recorder()
    prepared: list[tuple[list[int], str]] = []

    def prepare(items: list[int]) -> list[int]:
        prepared.append((list(items), threading.current_thread().name))
        return [i + 1 for i in items]

    async def body(b: MicroBatcher[int, int]) -> list[list[int]]:
        first = asyncio.create_task(b.submit([0]))
        await asyncio.sleep(0.05)  # batch [0] is prepared and blocked in fn
        rest = [asyncio.create_task(b.submit([i])) for i in range(1, 4)]
        await asyncio.sleep(0.05)
        seen_while_blocked = [items for items, _ in prepared]
        assert seen_while_blocked == [[0], [1, 2, 3]]  # prepared beside the running batch
        assert rec.batches == [] and not first.done()
        rec.gate.set()
        return await asyncio.gather(first, *rest)

    results = _run(_with_stages(rec, prepare, body, max_batch=32))
    assert results == [[10], [20], [30], [40]]  # fn got the prepared items, answers in order
    assert rec.batches == [[1], [2, 3, 4]]
    assert {thread for _, thread in prepared} == {"embedding_0"}
    assert rec.threads == {"inference_0"}


def test_batching_first_stage_errors_reach_their_requests_only() -> None:
    def prepare(items: list[int]) -> list[int]:
        if 13 in items:
            raise RuntimeError("cannot embed")
        return items

    async def body(b: MicroBatcher[int, int]) -> list[object]:
        bad = await asyncio.gather(b.submit([13]), return_exceptions=True)
        good = await b.submit([2])
        return [*bad, good, b.pending]

    rec = Recorder()
    rec.gate.set()
    bad, good, pending = _run(_with_stages(rec, prepare, body))
    assert isinstance(bad, RuntimeError) and good == [20] and pending == 0


def test_batching_stop_answers_the_batch_in_fn_and_refuses_the_prepared_one() -> None:
    rec = Recorder()

    async def body(b: MicroBatcher[int, int]) -> list[object]:
        running = asyncio.create_task(b.submit([5]))
        await asyncio.sleep(0.05)  # in fn, blocked
        waiting = asyncio.create_task(b.submit([6]))
        await asyncio.sleep(0.05)  # prepared, waiting for fn
        threading.Timer(0.05, rec.gate.set).start()
        await b.stop()
        return [*await asyncio.gather(running, waiting, return_exceptions=True), b.pending]

    answered, refused, pending = _run(_with_stages(rec, lambda items: items, body))
    assert answered == [50]
    assert isinstance(refused, Overloaded) and "shutting down" in refused.detail
    assert pending == 0
