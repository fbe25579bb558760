"""POST /v1/admin/reload and GET /v1/stats (admin scope)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import FlushedPredictions, HolderDep, SettingsDep, StoreDep
from api.desired_bundle import FollowerDep
from api.errors import ApiError, BundleRefused
from api.schemas import ReloadOut, ReloadRequest
from api.security import AdminScope
from triage.bundle_files import BundleOutsideRoot, check_under_root
from triage.errors import BundleError
from triage.policy import DEFAULT_COST_RATIO
from triage.store.report import production_report

router = APIRouter(prefix="/v1", tags=["admin"], dependencies=[AdminScope])


class BundleForbidden(ApiError):
    status, slug, title = 403, "bundle-outside-root", "Bundle outside TRIAGE_BUNDLE_ROOT"


class BundleNotFound(ApiError):
    status, slug, title = 404, "bundle-not-found", "No bundle folder there"


def _check_root(target: str, root: Path) -> Path:
    """A requested folder under the bundle root with no symlink on the way: 403 otherwise, 404
    when there is no such folder."""
    try:
        folder = check_under_root(Path(target), root)
        found = folder.is_dir()
    except BundleOutsideRoot as exc:
        raise BundleForbidden(str(exc)) from exc
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte: no such folder either
        raise BundleNotFound(f"bundle_dir is not a usable path ({exc}); send a folder") from exc
    if not found:
        raise BundleNotFound(f"{target}: no such bundle folder; run `triage export` first")
    return folder


@router.post("/admin/reload", response_model=ReloadOut, summary="Swap in a new bundle")
async def post_reload(
    settings: SettingsDep,
    holder: HolderDep,
    follower: FollowerDep,
    body: ReloadRequest | None = None,
) -> Any:
    """Load and check a bundle, then swap it in by reference (in-flight requests finish on the old).

    A folder outside TRIAGE_BUNDLE_ROOT or reached through a symlink is refused (403), a
    missing one is 404, a bundle that fails its checks (a file missing, altered, truncated or
    a symlink) is refused (422); the current model keeps serving. Once loaded here it becomes
    the desired bundle: every other worker follows within TRIAGE_REPLICA_POLL_S seconds (plus
    its load).
    """
    asked = body.bundle_dir if body else None
    # A folder named over HTTP must lie under the bundle root; TRIAGE_BUNDLE_DIR is the
    # operator's own setting.
    target = _check_root(asked, settings.bundle_root) if asked else settings.bundle_dir
    if target is None:
        raise BundleRefused("no bundle_dir given and TRIAGE_BUNDLE_DIR is unset; send a bundle_dir")
    try:  # here first, then on every worker (the desired-bundle row)
        previous, version = await run_in_threadpool(follower.request, Path(target))
    except BundleError as exc:
        current = holder.current.version if holder.current else "none"
        raise BundleRefused(f"{exc} (still serving {current})") from exc
    return ReloadOut(previous_version=previous, version=version)


@router.get("/stats", summary="Production metrics", dependencies=[FlushedPredictions])
async def get_stats(
    store: StoreDep,
    holder: HolderDep,
    days: Annotated[
        int, Query(ge=1, le=3650, description="The last N days (predictions made since).")
    ] = 30,
) -> dict[str, Any]:
    """Precision per target against the value at close, coverage per action, KB acceptance,
    what the autos were worth (at the serving model's cost ratio), over the last `days` days
    (default 30: bounded work, and what a dashboard shows)."""
    since = datetime.now(UTC) - timedelta(days=days)
    manifest = holder.current.triager.manifest if holder.current else {}
    return await run_in_threadpool(production_report, store, since, _cost_ratio(manifest))


def _cost_ratio(manifest: dict[str, Any]) -> float:
    """The cost ratio the serving model's thresholds were chosen for (the default for bundles
    from before it)."""
    targets = (manifest.get("policy") or {}).get("targets") or {}
    ratios = [t.get("cost_ratio") for t in targets.values() if t.get("cost_ratio")]
    return float(ratios[0]) if ratios else DEFAULT_COST_RATIO
