"""POST /v1/admin/reload and GET /v1/stats (admin scope)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import FlushedPredictions, HolderDep, StoreDep
from api.errors import BundleRefused
from api.lifecycle import reload
from api.schemas import ReloadOut, ReloadRequest
from api.security import AdminScope
from triage.errors import BundleError
from triage.store.report import production_report

router = APIRouter(prefix="/v1", tags=["admin"], dependencies=[AdminScope])


def _check_root(target: Path, root: Path | None) -> None:
    if root is not None and not target.resolve().is_relative_to(root.resolve()):
        raise BundleRefused(f"{target} is outside TRIAGE_BUNDLE_ROOT {root}; export bundles there")


@router.post("/admin/reload", response_model=ReloadOut, summary="Swap in a new bundle")
async def post_reload(
    request: Request, holder: HolderDep, store: StoreDep, body: ReloadRequest | None = None
) -> Any:
    """Load and check a bundle, then swap it in by reference (in-flight requests finish on the old).

    A bundle that fails its checks is refused (422) and the current model keeps serving.
    """
    settings = request.app.state.settings
    target = (body.bundle_dir if body else None) or settings.bundle_dir
    if target is None:
        raise BundleRefused("no bundle_dir given and TRIAGE_BUNDLE_DIR is unset; send a bundle_dir")
    _check_root(Path(target), settings.bundle_root)
    try:
        previous, version = await run_in_threadpool(
            reload,
            holder,
            Path(target),
            settings,
            request.app.state.metrics,
            store,
            request.app.state.executor,
        )
    except BundleError as exc:
        current = holder.current.version if holder.current else "none"
        raise BundleRefused(f"{exc} (still serving {current})") from exc
    return ReloadOut(previous_version=previous, version=version)


@router.get("/stats", summary="Production metrics", dependencies=[FlushedPredictions])
async def get_stats(
    store: StoreDep,
    days: Annotated[
        int, Query(ge=1, le=3650, description="The last N days (predictions made since).")
    ] = 30,
) -> dict[str, Any]:
    """Precision per target against the value at close, coverage per action, KB acceptance,
    over the last `days` days (default 30: bounded work, and what a dashboard shows)."""
    since = datetime.now(UTC) - timedelta(days=days)
    return await run_in_threadpool(production_report, store, since)
