"""The FastAPI application factory: settings, lifespan (store, model, batcher), routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware

from api import errors, logs
from api.batching import MicroBatcher
from api.deps import ModelHolder
from api.incidents import InsightState
from api.lifecycle import Inference, reload
from api.metrics import Metrics
from api.middleware import BodyLimit, RequestContext
from api.routers import (
    admin,
    console,
    feedback,
    health,
    insights,
    kb,
    model,
    predictions,
    search,
    tickets,
    triage,
    volume,
)
from api.security import KeyCache
from api.settings import Settings
from api.writer import PredictionWriter
from triage.errors import TriageError
from triage.retrieval.index import set_search_threads
from triage.store.keys import ensure_dev_key
from triage.store.sql import open_store

logger = logging.getLogger(__name__)

DESCRIPTION = """ML-assisted IT helpdesk ticket triage: category, priority and support line with an
action (`auto` / `suggest` / `review`), similar solved tickets and KB articles. Authenticate with an
`X-API-Key` header (`triage keys create --scope triage|agent|admin`). Errors are problem+json."""


async def _load_initial(app: FastAPI, settings: Settings) -> None:
    if settings.bundle_dir is None:
        logger.warning("no TRIAGE_BUNDLE_DIR: serving unready (503) until POST /v1/admin/reload")
        return
    try:
        await run_in_threadpool(
            reload,
            app.state.models,
            settings.bundle_dir,
            settings,
            app.state.metrics,
            app.state.store,  # replays tickets resolved since the bundle was built
            app.state.executor,
        )
    except TriageError as exc:
        logger.error("bundle %s not loaded, serving unready: %s", settings.bundle_dir, exc)


async def _startup(app: FastAPI, settings: Settings) -> None:
    logs.configure(settings.log_level)
    store = await run_in_threadpool(open_store, settings.database_url)
    app.state.store = store
    app.state.keys = KeyCache(store)
    if settings.dev_key_file is not None:
        await run_in_threadpool(ensure_dev_key, store, settings.dev_key_file)
    app.state.executor = ThreadPoolExecutor(
        max_workers=1,
        thread_name_prefix="inference",
        initializer=set_search_threads,  # OpenMP's thread cap is per thread: set it where we search
        initargs=(settings.search_threads,),
    )
    app.state.writer = PredictionWriter(store) if settings.batch_prediction_writes else None
    if app.state.writer is not None:
        app.state.writer.start()
    inference = Inference(
        app.state.models, store, app.state.metrics, settings.similar_k, app.state.writer
    )
    batcher: MicroBatcher[Any, Any] = MicroBatcher(
        inference,
        app.state.executor,
        max_batch=settings.micro_batch_size,
        max_wait_s=settings.micro_batch_wait_ms / 1000,
        capacity=max(settings.queue_capacity, settings.max_batch_tickets),
        max_queue_wait_s=settings.max_queue_wait_ms / 1000,
    )
    batcher.start()
    app.state.batcher = batcher
    app.state.metrics.track_queue(lambda: batcher.pending)
    app.state.insight = InsightState(settings, store, app.state.metrics)
    app.state.insight.start()
    monitor = app.state.insight.monitor
    if monitor is not None:
        app.state.metrics.track_incidents(lambda: len(monitor.open_incidents()))
    await _load_initial(app, settings)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store, start the batcher, load the bundle; undo all of it at shutdown."""
    settings: Settings = app.state.settings
    await _startup(app, settings)
    try:
        yield
    finally:
        await run_in_threadpool(app.state.insight.stop)
        await app.state.batcher.stop()
        app.state.executor.shutdown(wait=True, cancel_futures=True)
        if app.state.writer is not None:
            app.state.writer.close()  # queued predictions are committed before the store closes
        app.state.store.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service. Settings come from `TRIAGE_*` variables unless given (tests pass them)."""
    settings = settings or Settings()
    app = FastAPI(title="triage", version="1", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.models = ModelHolder()
    app.state.metrics = Metrics()
    errors.install(app)
    routers = (triage, feedback, predictions, tickets, search, kb, model, admin, volume, insights)
    for module in (*routers, health, console):
        app.include_router(module.router)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_headers=["*"])
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestContext, metrics=app.state.metrics, state=app.state)
    return app
