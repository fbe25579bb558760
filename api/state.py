"""`AppState`: everything the service holds, one typed object (routes reach it via `api.deps`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request

if TYPE_CHECKING:  # types only: these modules import `api.errors`, which reads the state
    from api.admission import Admission
    from api.batching import MicroBatcher
    from api.deps import ModelHolder
    from api.desired_bundle import BundleFollower
    from api.incidents import InsightState
    from api.metrics import Metrics
    from api.privacy import ServicePrivacy
    from api.ratelimit import RateLimiter
    from api.security import KeyCache
    from api.settings import Settings
    from api.writer import PredictionWriter
    from triage.prediction import TriageResult
    from triage.schema import Ticket
    from triage.store.protocol import FeedbackStore


@dataclass(slots=True, eq=False)
class AppState:
    """Built in `create_app` with settings, model holder and metrics; the lifespan adds the
    parts that need the store or threads (`api.app._startup`) and stops them at shutdown.

    Reading a start-up part before the lifespan ran raises `AttributeError` (a bug, not a
    request error: every route runs inside the lifespan).
    """

    settings: Settings
    models: ModelHolder
    metrics: Metrics
    privacy: ServicePrivacy
    """Redaction at the edge with the serving bundle's settings (`api.privacy`)."""
    store: FeedbackStore = field(init=False)
    keys: KeyCache = field(init=False)
    executor: ThreadPoolExecutor = field(init=False)
    """The one inference thread: predictions, searches, index updates and swaps run on it."""
    embed_executor: ThreadPoolExecutor | None = None
    """The micro-batches' embedding thread (`TRIAGE_EMBED_BESIDE`), one batch ahead of it."""
    batcher: MicroBatcher[Ticket, tuple[str, TriageResult]] = field(init=False)
    insight: InsightState = field(init=False)
    admission: Admission = field(init=False)
    """429 before work queues for the inference thread (searches, resolved-ticket indexing)."""
    rate_limits: RateLimiter = field(init=False)
    """A token bucket per key id (off unless TRIAGE_RATE_LIMIT_PER_S is set)."""
    follower: BundleFollower = field(init=False)
    """Follows the desired-bundle row and tails the ticket log (what every worker agrees on)."""
    writer: PredictionWriter | None = None
    """Queues prediction records for a background commit (`TRIAGE_BATCH_PREDICTION_WRITES`)."""


def state_of(app: FastAPI) -> AppState:
    """The `AppState` of an app made by `create_app` (tests read it this way too)."""
    state: AppState = app.state.triage
    return state


def request_state(request: Request) -> AppState:
    """The `AppState` of the app serving `request`."""
    return state_of(request.app)
