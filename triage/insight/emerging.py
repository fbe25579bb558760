"""Emerging incidents: a burst of similar new tickets well above that kind of ticket's usual rate.

For each new ticket, count the tickets of the last `window_minutes` whose embedding is at least
`similarity` cosine-close to it. The usual rate is the share of such near neighbours among the
tickets of the preceding `history_days`, times the traffic of the window (so office hours and
Monday mornings raise the expectation; the window's other tickets stand for that traffic, so a
burst does not raise its own expectation). An alert is raised when at
least `min_count` near neighbours arrived and a Poisson test puts their number above the usual
rate with p < `alpha`. Later similar tickets join the open incident instead of raising another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from triage.errors import ConfigError

_DAY_S = 86_400.0


@dataclass(frozen=True, slots=True)
class BurstParams:
    """Detector settings (see the module docstring); `quiet_minutes`: an incident closes when no
    similar ticket arrived for this long; `day_cap`: a history day contributes at most this many
    near neighbours, or the kind's 75th percentile per day when that is higher, so a past outage
    does not raise the usual rate for a month but a kind that is always busy keeps its rate;
    `min_history`: no alert until the history holds this many tickets (no usual rate yet)."""

    window_minutes: float = 60.0
    history_days: float = 28.0
    similarity: float = 0.55
    min_count: int = 4
    alpha: float = 1e-6
    quiet_minutes: float = 120.0
    day_cap: int = 3
    min_history: int = 200

    def __post_init__(self) -> None:
        if self.window_minutes <= 0 or self.history_days * 1440 <= self.window_minutes:
            raise ConfigError("window_minutes must be positive and shorter than history_days")
        if not 0.0 < self.similarity <= 1.0:
            raise ConfigError(f"similarity {self.similarity} must be in (0, 1]")
        if self.min_count < 2:
            raise ConfigError("min_count must be at least 2")


@dataclass(slots=True)
class Incident:
    """A burst of similar tickets: its first ticket, when it was alerted, and its members."""

    incident_id: str
    first_at: datetime
    alert_at: datetime
    last_at: datetime
    ticket_ids: list[str]
    expected: float
    """Near neighbours expected in the window at the usual rate when the alert was raised."""
    observed: int
    p_value: float
    centroid: NDArray[np.float32] = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (ticket ids, times as ISO 8601 UTC)."""
        return {
            "incident_id": self.incident_id,
            "first_at": self.first_at.isoformat(),
            "alert_at": self.alert_at.isoformat(),
            "last_at": self.last_at.isoformat(),
            "tickets": len(self.ticket_ids),
            "ticket_ids": list(self.ticket_ids),
            "observed_at_alert": self.observed,
            "expected_at_alert": round(self.expected, 3),
            "p_value": float(f"{self.p_value:.3g}"),
            "minutes_to_alert": round((self.alert_at - self.first_at).total_seconds() / 60, 1),
        }


def poisson_sf(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean)."""
    if count <= 0:
        return 1.0
    from scipy.stats import poisson

    return float(poisson.sf(count - 1, mean))


class _Buffer:
    """Recent tickets: ids, times (seconds since the epoch) and vectors, appended in time order
    into arrays that grow by doubling; old rows are dropped by compaction."""

    def __init__(self) -> None:
        self.times = np.zeros(0, dtype=np.float64)
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self.ids: list[str] = []
        self.size = 0

    def append(self, ticket_id: str, seconds: float, vector: NDArray[np.float32]) -> int:
        if self.size and seconds < self.times[self.size - 1]:
            raise ConfigError("tickets must be observed in time order")
        if self.size == len(self.times):
            capacity = max(1024, 2 * self.size)
            times = np.zeros(capacity, dtype=np.float64)
            vectors = np.zeros((capacity, len(vector)), dtype=np.float32)
            if self.size:
                times[: self.size] = self.times[: self.size]
                vectors[: self.size] = self.vectors[: self.size]
            self.times, self.vectors = times, vectors
        self.times[self.size], self.vectors[self.size] = seconds, vector
        self.ids.append(ticket_id)
        self.size += 1
        return self.size - 1

    def forget_before(self, seconds: float) -> None:
        """Drop rows older than `seconds` (only when at least a quarter is stale)."""
        stale = int(np.searchsorted(self.times[: self.size], seconds))
        if stale == 0 or stale < self.size // 4:
            return
        keep = self.size - stale
        self.times[:keep] = self.times[stale : self.size]
        self.vectors[:keep] = self.vectors[stale : self.size]
        self.ids = self.ids[stale:]
        self.size = keep


class BurstDetector:
    """Streaming burst detection over (ticket id, UTC time, unit vector) in time order.

    `observe(ids, times, vectors)` feeds new tickets (vectors (n, dim)) and returns the incidents
    they raised; `incidents` holds every incident, `open_incidents(now)` the ones still active.
    Memory: the vectors of the last `history_days` days (and a little more between compactions).
    """

    def __init__(self, params: BurstParams | None = None) -> None:
        self.params = params or BurstParams()
        self.incidents: list[Incident] = []
        self._buffer = _Buffer()
        self._incident_of: dict[str, Incident] = {}

    def observe(
        self, ids: Sequence[str], times: Sequence[datetime], vectors: NDArray[np.float32]
    ) -> list[Incident]:
        """Feed tickets (sorted by time, none earlier than any before); returns new incidents."""
        raised: list[Incident] = []
        for i, ticket_id in enumerate(ids):
            self._buffer.forget_before(times[i].timestamp() - self.params.history_days * _DAY_S)
            row = self._buffer.append(ticket_id, times[i].timestamp(), vectors[i])
            incident = self._check(row, times[i])
            if incident is not None:
                raised.append(incident)
        return raised

    def open_incidents(self, now: datetime) -> list[Incident]:
        """Incidents whose last ticket arrived within `quiet_minutes` of `now`."""
        quiet = timedelta(minutes=self.params.quiet_minutes)
        return [i for i in self.incidents if now - i.last_at <= quiet]

    # -- internals ------------------------------------------------------------------------------
    def _check(self, row: int, when: datetime) -> Incident | None:
        p, buffer = self.params, self._buffer
        times = buffer.times[: row + 1]
        sims = buffer.vectors[: row + 1] @ buffer.vectors[row]
        window = times > times[row] - p.window_minutes * 60
        near = window & (sims >= p.similarity)
        if self._join(row, near, when):
            return None
        observed = int(near.sum())
        if observed < p.min_count:
            return None
        expected = self._expected(times, sims, int(window.sum()) - observed)
        if expected is None:
            return None
        p_value = poisson_sf(observed, expected)
        if p_value >= p.alpha:
            return None
        return self._raise(near, when, expected, observed, p_value)

    def _join(self, row: int, near: NDArray[np.bool_], when: datetime) -> bool:
        """Attach the ticket to an open incident one of its near neighbours belongs to."""
        quiet = timedelta(minutes=self.params.quiet_minutes)
        ids = self._buffer.ids
        for j in np.flatnonzero(near)[::-1]:
            incident = self._incident_of.get(ids[j])
            if incident is not None and when - incident.last_at <= quiet:
                incident.ticket_ids.append(ids[row])
                incident.last_at = when
                self._incident_of[ids[row]] = incident
                return True
        return False

    def _expected(
        self, times: NDArray[np.float64], sims: NDArray[np.float32], others: int
    ) -> float | None:
        """Near neighbours expected in the window at the usual rate, from the `others` (not
        near) tickets that arrived in it; None while the history is under `min_history`. The
        +1 in the share gives a kind never seen before a small usual rate too."""
        p = self.params
        now = times[-1]
        history = (times >= now - p.history_days * _DAY_S) & (times <= now - p.window_minutes * 60)
        n_history = int(history.sum())
        if n_history < p.min_history:
            return None
        days = np.floor(times[history] / _DAY_S)
        near = sims[history] >= p.similarity
        day_keys, day_rows = np.unique(days, return_inverse=True)
        per_day = np.bincount(day_rows[near], minlength=len(day_keys)).astype(float)
        cap = max(float(p.day_cap), float(np.quantile(per_day, 0.75)))
        share = min((np.minimum(per_day, cap).sum() + 1.0) / (n_history + 1.0), 0.95)
        # the other tickets of the window are the usual traffic's (1 - share): scale them up
        return float(share / (1.0 - share) * max(others, 1))

    def _raise(
        self,
        near: NDArray[np.bool_],
        when: datetime,
        expected: float,
        observed: int,
        p_value: float,
    ) -> Incident:
        rows = np.flatnonzero(near)
        ids = [self._buffer.ids[j] for j in rows]
        first = datetime.fromtimestamp(float(self._buffer.times[rows[0]]), tz=when.tzinfo)
        centroid = self._buffer.vectors[rows].mean(axis=0)
        incident = Incident(
            incident_id="inc-" + hashlib.sha256(ids[0].encode()).hexdigest()[:12],
            first_at=first,
            alert_at=when,
            last_at=when,
            ticket_ids=ids,
            expected=expected,
            observed=observed,
            p_value=p_value,
            centroid=centroid / max(float(np.linalg.norm(centroid)), 1e-12),
        )
        self.incidents.append(incident)
        for ticket_id in ids:
            self._incident_of[ticket_id] = incident
        return incident
