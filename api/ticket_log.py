"""This worker's place in the shared resolved-ticket log: replay at load, tail while serving."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from api.deps import ModelHolder, TriagerLike
from triage.schema import Ticket
from triage.store.protocol import FeedbackStore
from triage.store.ticket_log import LogEntry

logger = logging.getLogger(__name__)


def _index(triager: TriagerLike, tickets: list[Ticket]) -> None:
    """Add `tickets` to the triager's index (nothing when the bundle has none)."""
    if triager.retriever is not None and tickets:
        triager.retriever.add_tickets(tickets)  # one embedding call


def _built_at(triager: TriagerLike) -> datetime | None:
    built = triager.manifest.get("created_at")
    return datetime.fromisoformat(str(built)) if built else None


class TicketLogTail:
    """The log id this worker's index holds everything up to (`cursor`).

    `replay` may run on any thread; `catch_up` and `tail` run on the inference thread, which
    also swaps models, so the cursor always describes the index that serves.
    """

    def __init__(
        self, store: FeedbackStore, observe_delay: Callable[[float], None] | None = None
    ) -> None:
        self.store, self.observe_delay = store, observe_delay
        self.cursor = 0

    def _read_all(
        self, after: int, upto: int | None = None, since: datetime | None = None
    ) -> list[LogEntry]:
        entries: list[LogEntry] = []
        while True:  # the store hands out at most 10,000 per read
            batch = self.store.read_ticket_log(after, upto, since)
            entries += batch
            if len(batch) < 10_000:
                return entries
            after = batch[-1].log_id

    def replay(self, triager: TriagerLike) -> int:
        """Index the tickets logged after `triager`'s bundle was built; returns the log id read
        up to (every id up to it is committed: the log commits in id order)."""
        upto = self.store.ticket_log_head()
        if triager.retriever is not None:
            entries = self._read_all(0, upto, since=_built_at(triager))
            _index(triager, [e.ticket for e in entries])
            logger.info("replayed %d resolved tickets up to log id %d", len(entries), upto)
        return upto

    def catch_up(self, triager: TriagerLike, after: int) -> int:
        """Index what was logged after `after` (during a load); returns the new log id."""
        entries = self._read_all(after)
        _index(triager, [e.ticket for e in entries])
        return entries[-1].log_id if entries else after

    def tail(self, holder: ModelHolder) -> int:
        """Index into the serving model what other workers (and this one) logged since the
        cursor; returns how many. Re-adding a ticket replaces it, so overlap is harmless."""
        model = holder.current
        if model is None:
            return 0
        entries = self._read_all(self.cursor)
        if not entries:
            return 0
        _index(model.triager, [e.ticket for e in entries])
        self.cursor = entries[-1].log_id
        self._record_delays(entries)
        return len(entries)

    def _record_delays(self, entries: Sequence[LogEntry]) -> None:
        if self.observe_delay is None:
            return
        now = datetime.now(UTC)
        for entry in entries:  # seconds from logged (committed) to searchable here
            self.observe_delay((now - entry.logged_at).total_seconds())
