"""The service's insight state: the insight embedder (with a memory cache), the KB for KB gaps,
and the emerging-incident monitor that watches triaged tickets and fires the webhook."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from api.settings import Settings
from api.webhook import WebhookSender
from triage.embeddings import Embedder, load_embedder
from triage.errors import FeedbackStoreError
from triage.insight.emerging import BurstDetector, BurstParams, Incident
from triage.insight.kb_gaps import Articles
from triage.privacy.redactor import redact_text
from triage.store.incidents import ledger_for
from triage.store.protocol import FeedbackStore

logger = logging.getLogger(__name__)

MEMORY_VECTORS = 20_000
"""Vectors kept in memory (about 40 MB at 512 dimensions): the monitor's tickets, reused by
the cluster and KB-gap endpoints."""
OVERLAP = timedelta(seconds=10)
"""Predictions are re-read this far back: the writer thread may commit a record stamped a
little before the newest one already seen."""


class MemoryCachedEmbedder:
    """An `Embedder` that remembers the last `capacity` vectors by text hash (thread-safe)."""

    def __init__(self, embedder: Embedder, capacity: int = MEMORY_VECTORS) -> None:
        self.embedder, self.capacity = embedder, capacity
        self._vectors: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        """Vectors (len(texts), dim); only texts not remembered are encoded."""
        keys = [_memory_key(t) for t in texts]
        with self._lock:
            found = {k: self._vectors[k] for k in keys if k in self._vectors}
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            fresh = self.embedder.encode([text_of[k] for k in missing], batch_size)
            found.update(zip(missing, fresh, strict=True))
            with self._lock:
                self._vectors.update(zip(missing, fresh, strict=True))
                while len(self._vectors) > self.capacity:
                    self._vectors.popitem(last=False)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.ascontiguousarray(np.stack([found[k] for k in keys]), dtype=np.float32)


def _memory_key(text: str) -> str:
    """A key for the in-memory cache (never written anywhere, so no secret is needed)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class IncidentMonitor:
    """Feeds tickets triaged by the service to a `BurstDetector`, polling the store.

    Runs on its own thread (`start`/`stop`); each `poll` reads predictions made since the last
    one, embeds their texts and observes them in time order (a ticket id once: re-triaging a
    ticket is not a new report). `on_alert(incident)` is called for every new incident.
    """

    def __init__(
        self,
        store: FeedbackStore,
        embedder: Callable[[], Embedder],
        params: BurstParams,
        on_alert: Callable[[Incident], None],
        poll_s: float = 15.0,
        backfill: int = 5_000,
    ) -> None:
        self.store, self._embedder, self.params = store, embedder, params
        self.detector = BurstDetector(params)
        self.on_alert, self.poll_s, self.backfill = on_alert, poll_s, backfill
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._names: dict[str, str] = {}
        self._since: datetime | None = None
        self._last: datetime | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="incidents", daemon=True)
        self.lock = threading.Lock()
        self._polling = threading.Lock()  # one poll at a time: the thread or a lazy start
        self._started = False

    def start(self) -> None:
        with self._polling:
            self._start_thread()

    def _start_thread(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    @property
    def watching(self) -> bool:
        """True once the monitor thread runs (at start, or since the first lazy `watch`)."""
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                with self._polling:
                    self.poll()
            except Exception:  # a thread edge: log and keep watching
                logger.exception("incident monitor poll failed")

    def watch(self) -> None:
        """Start watching now (a lazy start): one poll in the caller's thread (it reads the
        recent history, so open incidents are reported at once), then the thread."""
        with self._polling:
            if self._started:
                return
            self.poll()
            self._start_thread()

    def poll(self) -> list[Incident]:
        """Observe the predictions made since the last poll; returns the new incidents."""
        since = self._since or datetime.now(UTC) - timedelta(days=self.params.history_days)
        fresh = self._fresh(since)
        if self._since is None:
            fresh = fresh[-self.backfill :] if self.backfill else []
        if not fresh:
            self._since = self._since or datetime.now(UTC) - OVERLAP
            return []
        vectors = self._embedder().encode([text for _, _, text in fresh])
        subjects = {ticket_id: text.split("\n", 1)[0] for ticket_id, _, text in fresh}
        times = [max(when, self._last or when) for _, when, _ in fresh]  # never back in time
        with self.lock:
            raised = self.detector.observe([i for i, _, _ in fresh], times, vectors)
        self._last = times[-1]
        self._since = times[-1] - OVERLAP
        for incident in raised:
            first = subjects.get(incident.ticket_ids[0]) or subjects.get(incident.ticket_ids[-1])
            self._names[incident.incident_id] = redact_text(first or "")[:120]
            self.on_alert(incident)
        return raised

    def _fresh(self, since: datetime) -> list[tuple[str, datetime, str]]:
        out = []
        for record in self.store.iter_predictions(since):
            ticket_id = record.ticket.ticket_id
            if ticket_id in self._seen:
                continue
            self._seen[ticket_id] = None
            out.append((ticket_id, record.created_at, record.ticket.text))
        while len(self._seen) > 4 * MEMORY_VECTORS:
            self._seen.popitem(last=False)
        return out

    def open_incidents(self, now: datetime | None = None) -> list[Incident]:
        with self.lock:
            return self.detector.open_incidents(now or datetime.now(UTC))

    def name_of(self, incident: Incident) -> str:
        """The (redacted) first line of a ticket that raised the incident, as its title."""
        return self._names.get(incident.incident_id, "")


class InsightState:
    """What the insight routes share: configuration, the embedder, the KB, the monitor."""

    def __init__(self, settings: Settings, store: FeedbackStore, metrics: Any) -> None:
        self.settings, self.store, self.metrics = settings, store, metrics
        self.config = settings.insight_config()
        self._embedder: MemoryCachedEmbedder | None = None
        self._articles: Articles | None = None
        self._lock = threading.Lock()
        self.webhook = _webhook(settings, metrics)
        self.ledger = ledger_for(store)
        self.monitor = (
            IncidentMonitor(
                store,
                self.embedder,
                BurstParams(),
                self._alert,
                settings.incident_poll_s,
                settings.incident_backfill,
            )
            if settings.incidents != "off"
            else None
        )

    def start(self) -> None:
        if self.webhook is not None:
            self.webhook.start()
        eager = self.settings.incidents == "on" or self.webhook is not None
        if self.monitor is not None and eager:
            self.monitor.start()

    def stop(self) -> None:
        if self.monitor is not None:
            self.monitor.stop()
        if self.webhook is not None:
            self.webhook.close()

    def embedder(self) -> MemoryCachedEmbedder:
        """The insight embedder, loaded on first use."""
        with self._lock:
            if self._embedder is None:
                self._embedder = MemoryCachedEmbedder(load_embedder(self.settings.insight_embedder))
            return self._embedder

    def articles(self) -> Articles | None:
        """The KB at `TRIAGE_KB_PATH`, embedded once; None when unset."""
        if self.settings.kb_path is None:
            return None
        with self._lock:
            cached = self._articles
        if cached is None:
            from triage.insight.report import embed_articles
            from triage.kb import read_kb

            cached = embed_articles(self.embedder(), read_kb(self.settings.kb_path))
            with self._lock:
                self._articles = cached
        return cached

    def _alert(self, incident: Incident) -> None:
        name = self.monitor.name_of(incident) if self.monitor is not None else ""
        payload = {**incident.as_dict(), "name": name}
        if not self._first_to_claim(incident, payload):
            return
        self.metrics.incident_alerts.inc()
        logger.warning(
            "emerging incident %s: %d similar tickets (expected %.2f at the usual rate)",
            incident.incident_id,
            len(incident.ticket_ids),
            incident.expected,
        )
        if self.webhook is not None:
            self.webhook.send("incident.emerging", {"incident": payload})

    def _first_to_claim(self, incident: Incident, payload: dict[str, Any]) -> bool:
        """True when this worker records the incident in the store first (or cannot reach it:
        a duplicate alert is better than a missed outage)."""
        if self.ledger is None:
            return True
        ids, first, alert = incident.ticket_ids, incident.first_at, incident.alert_at
        try:
            claim = self.ledger.claim(incident.incident_id, ids, first, alert, payload)
        except FeedbackStoreError as exc:
            logger.warning(
                "incident %s alerted without de-duplication: %s", incident.incident_id, exc
            )
            return True
        if not claim.claimed:
            logger.info(
                "emerging incident %s already alerted as %s",
                incident.incident_id,
                claim.incident_id,
            )
        return claim.claimed


def _webhook(settings: Settings, metrics: Any) -> WebhookSender | None:
    if not settings.webhook_url or settings.webhook_secret is None:
        return None
    return WebhookSender(
        settings.webhook_url,
        settings.webhook_secret.get_secret_value(),
        max_attempts=settings.webhook_max_attempts,
        backoff_s=settings.webhook_backoff_s,
        observe=lambda outcome: metrics.webhook_deliveries.labels(outcome).inc(),
    )
