"""The FastAPI application factory: settings, lifespan (store, model, batcher), routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware

from api import errors, logs, openapi
from api.admission import Admission
from api.batching import FirstStage, MicroBatcher
from api.deps import ModelHolder
from api.desired_bundle import BundleFollower
from api.incidents import InsightState
from api.lifecycle import Inference
from api.metrics import Metrics
from api.middleware import BodyLimit, RequestContext
from api.privacy import ServicePrivacy
from api.ratelimit import RateLimiter
from api.routers import (
    admin,
    console,
    feedback,
    health,
    insights,
    kb,
    keys,
    model,
    predictions,
    privacy,
    search,
    tickets,
    triage,
    volume,
)
from api.security import KeyCache
from api.settings import Settings
from api.state import AppState, state_of
from api.writer import PredictionWriter
from triage.prediction import TriageResult
from triage.retrieval.index import set_search_threads
from triage.schema import Ticket
from triage.store.keys import ensure_dev_key
from triage.store.sql import open_store

logger = logging.getLogger(__name__)

DESCRIPTION = """ML-assisted IT helpdesk ticket triage: category, priority and support line with an
action (`auto` / `suggest` / `review`), similar solved tickets and KB articles. Authenticate with an
`X-API-Key` header (`triage keys create --scope triage|agent|admin`). Errors are problem+json."""


def _start_inference(state: AppState) -> None:
    """The inference thread, the optional background prediction writer and the micro-batcher."""
    settings = state.settings
    state.executor = ThreadPoolExecutor(
        max_workers=1,
        thread_name_prefix="inference",
        initializer=set_search_threads,  # OpenMP's thread cap is per thread: set it where we search
        initargs=(settings.search_threads,),
    )
    state.writer = PredictionWriter(state.store) if settings.batch_prediction_writes else None
    if state.writer is not None:
        state.writer.start()
    inference = Inference(
        state.models, state.store, state.metrics, settings.similar_k, state.writer
    )
    first = None
    if settings.embed_beside:
        state.embed_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedding")
        first = FirstStage(inference.prepare, state.embed_executor)
    batcher: MicroBatcher[Ticket, tuple[str, TriageResult]] = MicroBatcher(
        inference,
        state.executor,
        max_batch=settings.micro_batch_size,
        max_wait_s=settings.micro_batch_wait_ms / 1000,
        capacity=max(settings.queue_capacity, settings.max_batch_tickets),
        max_queue_wait_s=settings.max_queue_wait_ms / 1000,
        first=first,
    )
    batcher.start()
    state.batcher = batcher
    state.admission = Admission(
        batcher, state.executor, settings.queue_capacity, settings.max_queue_wait_ms / 1000
    )
    state.metrics.track_queue(lambda: batcher.pending)


async def _startup(state: AppState) -> None:
    settings = state.settings
    logs.configure(settings.log_level)
    store = await run_in_threadpool(
        open_store, settings.database_url, settings.database_lock_timeout_s
    )
    store.on_write_failure = state.metrics.count_write_failure
    state.store = store
    state.keys = KeyCache(state.store, recheck_s=settings.key_recheck_s)
    state.rate_limits = RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst)
    if settings.dev_key_file is not None:
        await run_in_threadpool(ensure_dev_key, state.store, settings.dev_key_file)
    _start_inference(state)
    state.insight = InsightState(settings, state.store, state.metrics)
    state.insight.start()
    monitor = state.insight.monitor
    if monitor is not None:
        state.metrics.track_incidents(lambda: len(monitor.open_incidents()))
    state.follower = BundleFollower(
        state.models, settings, state.metrics, state.store, state.executor
    )
    await run_in_threadpool(state.follower.load_initial)  # the desired bundle, else the set one
    state.follower.start()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store, start the batcher, load the bundle; undo all of it at shutdown."""
    state = state_of(app)
    await _startup(state)
    try:
        yield
    finally:
        await run_in_threadpool(state.follower.stop)
        await run_in_threadpool(state.insight.stop)
        await state.batcher.stop()
        state.executor.shutdown(wait=True, cancel_futures=True)
        if state.embed_executor is not None:
            state.embed_executor.shutdown(wait=True, cancel_futures=True)
        if state.writer is not None:
            state.writer.close()  # queued predictions are committed before the store closes
        state.store.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service. Settings come from `TRIAGE_*` variables unless given (tests pass them)."""
    settings = settings or Settings()
    app = FastAPI(title="triage", version="1", description=DESCRIPTION, lifespan=lifespan)
    state = AppState(settings, ModelHolder(), Metrics(), ServicePrivacy(settings))
    app.state.triage = state  # the one attribute on Starlette's state; routes use `api.deps`
    errors.install(app)
    openapi.install(app)  # problem+json responses documented on every operation
    routers = (triage, feedback, predictions, tickets, search, kb, model, admin, volume, insights)
    for module in (*routers, privacy, keys, health, console):
        app.include_router(module.router)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_headers=["*"])
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestContext, metrics=state.metrics, state=state)
    return app
