"""Health probes and Prometheus metrics (no authentication, never queued behind inference)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from api.deps import HolderDep, MetricsDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health/live", response_model=Health, summary="Liveness")
async def live() -> Any:
    """200 while the process serves HTTP."""
    return Health(status="alive")


@router.get(
    "/health/ready", response_model=Health, responses={503: {"model": Health}}, summary="Readiness"
)
async def ready(holder: HolderDep) -> Any:
    """200 once a bundle is loaded and its warm-up prediction passed; 503 before."""
    model = holder.current
    if model is None:
        body = Health(
            status="unready",
            detail="no model loaded; set TRIAGE_BUNDLE_DIR or POST /v1/admin/reload",
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ready", model_version=model.version)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(metrics: MetricsDep) -> Response:
    """Request counts and latency by route and status, predictions, feedback, queue depth."""
    from prometheus_client import CONTENT_TYPE_LATEST

    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
