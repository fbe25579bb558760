"""GET /v1/stats/volume: tickets triaged today and this week, for the team lead's view."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import FlushedPredictions, StoreDep
from api.errors import ApiError
from api.security import AdminScope
from triage.store.protocol import FeedbackStore
from triage.volume import volume_report, window_start

router = APIRouter(prefix="/v1", tags=["admin"], dependencies=[AdminScope])


class UnknownTimeZone(ApiError):
    status, slug, title = 422, "validation", "Unknown time zone"


TimeZone = Annotated[
    str,
    Query(
        min_length=1,
        max_length=64,
        description="IANA time zone that decides where a day starts, e.g. Europe/Amsterdam.",
    ),
]


def _zone(name: str) -> tzinfo:
    if name.upper() == "UTC":
        return UTC  # needs no tz database
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # bad key, not a TZif file
        raise UnknownTimeZone(
            f"tz: {name!r} is not a known time zone; send an IANA name such as Europe/Amsterdam"
        ) from exc


def _report(store: FeedbackStore, tz: tzinfo) -> dict[str, Any]:
    now = datetime.now(UTC)
    return volume_report(store.iter_prediction_labels(since=window_start(now, tz)), now, tz)


@router.get("/stats/volume", summary="Ticket volume", dependencies=[FlushedPredictions])
async def get_volume(store: StoreDep, tz: TimeZone = "UTC") -> dict[str, Any]:
    """Tickets triaged today and this week (since Monday) in `tz`, by predicted category,
    priority and support line and by action, plus the daily count of the last 7 days."""
    zone = _zone(tz)
    return {"time_zone": tz, **await run_in_threadpool(_report, store, zone)}
