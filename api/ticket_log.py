"""This worker's place in the shared resolved-ticket log: replay at load, tail while serving."""

from __future__ import annotations

import logging
from collections import OrderedDict
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


MAX_LOCAL = 10_000
"""Resolved tickets this worker indexed itself and the tail has not met yet (a bound, so a log
that never echoes them, e.g. after an erasure, cannot grow the map forever)."""


def _built_at(triager: TriagerLike) -> datetime | None:
    built = triager.manifest.get("created_at")
    return datetime.fromisoformat(str(built)) if built else None


class TicketLogTail:
    """The log id this worker's index holds everything up to (`cursor`), and the tickets
    resolved through this worker (indexed at once, then not embedded a second time by the tail).

    `replay` may run on any thread; `catch_up` and `tail` run on the inference thread, which
    also swaps models, so the cursor always describes the index that serves.
    """

    def __init__(
        self,
        store: FeedbackStore,
        observe_delay: Callable[[float], None] | None = None,
        count: Callable[[str, int], None] | None = None,
    ) -> None:
        self.store, self.observe_delay, self.count = store, observe_delay, count
        self.cursor = 0
        self._local: OrderedDict[str, tuple[object, Ticket]] = OrderedDict()
        """ticket id -> (the retriever, the ticket) this worker indexed on its own request."""

    def index_local(self, holder: ModelHolder, ticket: Ticket) -> bool:
        """Index a ticket resolved through this worker into the serving model now (on the
        inference thread), so it is searchable here at once; the tail, meeting the same
        version in the log, then does not embed it again. False when no model with a ticket
        index is loaded, or the ticket has no solution."""
        model = holder.current
        retriever = model.triager.retriever if model else None
        if retriever is None:
            return False
        indexed = retriever.add_ticket(ticket)
        self._local.pop(ticket.ticket_id, None)
        if indexed:
            self._local[ticket.ticket_id] = (retriever, ticket)
            while len(self._local) > MAX_LOCAL:
                self._local.popitem(last=False)
        return indexed

    def _not_indexed_yet(self, triager: TriagerLike, entries: Sequence[LogEntry]) -> list[Ticket]:
        """The tickets of `entries` to index: per ticket id its last version, unless it is the
        version this worker already indexed into the same retriever (and still holds)."""
        latest: dict[str, Ticket] = {}
        for entry in entries:
            latest.pop(entry.ticket.ticket_id, None)
            latest[entry.ticket.ticket_id] = entry.ticket
        retriever = triager.retriever
        todo = []
        for ticket_id, ticket in latest.items():
            mine = self._local.pop(ticket_id, None)
            done = mine is not None and mine[0] is retriever and mine[1] == ticket
            if not (done and retriever is not None and retriever.has_ticket(ticket_id)):
                todo.append(ticket)
        return todo

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
        todo = self._not_indexed_yet(model.triager, entries)
        _index(model.triager, todo)
        self.cursor = entries[-1].log_id
        if self.count is not None:
            self.count("embedded", len(todo))
            self.count("already_indexed", len({e.ticket.ticket_id for e in entries}) - len(todo))
        self._record_delays(entries)
        return len(entries)

    def _record_delays(self, entries: Sequence[LogEntry]) -> None:
        if self.observe_delay is None:
            return
        now = datetime.now(UTC)
        for entry in entries:  # seconds from logged (committed) to searchable here
            self.observe_delay((now - entry.logged_at).total_seconds())
