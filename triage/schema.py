"""The domain model: what a helpdesk registers about a ticket and a knowledge-base article."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.errors import TicketValueError

TARGETS: tuple[str, ...] = ("category", "priority", "support_line")
"""The fields the classifiers learn, always under these names."""


class Priority(enum.StrEnum):
    """ITIL priority, P1 (critical) to P4 (low)."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Level(enum.StrEnum):
    """Impact or urgency on the ITIL three-point scale."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class SupportLine(enum.IntEnum):
    """Who solves it: 1 first line (service desk), 2 specialists, 3 experts, developers, vendors."""

    FIRST = 1
    SECOND = 2
    THIRD = 3


class Channel(enum.StrEnum):
    """How the ticket reached the service desk."""

    EMAIL = "email"
    PHONE = "phone"
    PORTAL = "portal"
    CHAT = "chat"
    WALK_IN = "walk_in"
    MONITORING = "monitoring"


class Status(enum.StrEnum):
    """Life-cycle state of a ticket."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


SOLVED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})

_PRIORITY_MATRIX: dict[tuple[Level, Level], Priority] = {
    (Level.HIGH, Level.HIGH): Priority.P1,
    (Level.HIGH, Level.MEDIUM): Priority.P2,
    (Level.MEDIUM, Level.HIGH): Priority.P2,
    (Level.HIGH, Level.LOW): Priority.P3,
    (Level.MEDIUM, Level.MEDIUM): Priority.P3,
    (Level.LOW, Level.HIGH): Priority.P3,
    (Level.MEDIUM, Level.LOW): Priority.P4,
    (Level.LOW, Level.MEDIUM): Priority.P4,
    (Level.LOW, Level.LOW): Priority.P4,
}


def priority_from(impact: Level, urgency: Level) -> Priority:
    """Priority from the ITIL impact x urgency matrix (high x high = P1 ... low x low = P4)."""
    return _PRIORITY_MATRIX[(Level(impact), Level(urgency))]


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise TicketValueError(name, "timestamp has no time zone; convert to UTC first")


@dataclass(frozen=True, slots=True, kw_only=True)
class Ticket:
    """One helpdesk ticket: the complaint, its labels, and (once known) cause and solution.

    Only `ticket_id` and some text (subject or body) are required; real exports lack most fields.
    Timestamps are time-zone aware. `requester` is personal data: never log or embed it.
    """

    ticket_id: str
    subject: str = ""
    body: str = ""
    created_at: datetime | None = None
    language: str | None = None
    channel: Channel | None = None
    requester: str | None = None
    category: str | None = None
    subcategory: str | None = None
    priority: Priority | None = None
    impact: Level | None = None
    urgency: Level | None = None
    support_line: SupportLine | None = None
    assignment_group: str | None = None
    status: Status | None = None
    cause: str | None = None
    solution: str | None = None
    time_spent_minutes: float | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    reopened_count: int | None = None
    escalated: bool | None = None
    csat: int | None = None
    kb_article_id: str | None = None

    def __post_init__(self) -> None:
        if not self.ticket_id or not self.ticket_id.strip():
            raise TicketValueError("ticket_id", "is empty")
        if not (self.subject.strip() or self.body.strip()):
            raise TicketValueError("body", "ticket has no text (subject and body are both empty)")
        for name in ("created_at", "first_response_at", "resolved_at", "closed_at"):
            _require_aware(name, getattr(self, name))
        if self.csat is not None and not 1 <= self.csat <= 5:
            raise TicketValueError("csat", f"{self.csat} is outside 1..5")
        if self.reopened_count is not None and self.reopened_count < 0:
            raise TicketValueError("reopened_count", f"{self.reopened_count} is negative")
        if self.time_spent_minutes is not None and self.time_spent_minutes < 0:
            raise TicketValueError("time_spent_minutes", f"{self.time_spent_minutes} is negative")
        self._check_order("first_response_at")
        self._check_order("resolved_at")
        self._check_order("closed_at")

    def _check_order(self, name: str) -> None:
        later = getattr(self, name)
        if self.created_at is not None and later is not None and later < self.created_at:
            raise TicketValueError(name, f"{later.isoformat()} is before created_at")

    @property
    def text(self) -> str:
        """Subject and body as one text: what the models read."""
        return f"{self.subject}\n{self.body}".strip()

    @property
    def is_solved(self) -> bool:
        """True when the ticket is resolved or closed (its solution can be suggested)."""
        return self.status in SOLVED_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """Plain-value dict (enums as their values), the row of a normalised dataset."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def replace(self, **changes: Any) -> Ticket:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True, kw_only=True)
class KBArticle:
    """A knowledge-base article that answers a recurring problem."""

    article_id: str
    title: str
    body: str
    category: str | None = None
    language: str | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.article_id or not self.article_id.strip():
            raise TicketValueError("article_id", "is empty")
        if not (self.title.strip() or self.body.strip()):
            raise TicketValueError("body", "article has no text (title and body are both empty)")
        _require_aware("updated_at", self.updated_at)

    @property
    def text(self) -> str:
        """Title and body as one text."""
        return f"{self.title}\n{self.body}".strip()

    def to_dict(self) -> dict[str, Any]:
        """Plain-value dict, the row of a normalised article dataset."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


TICKET_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Ticket))
ENUM_FIELDS: dict[str, type[enum.Enum]] = {
    "channel": Channel,
    "priority": Priority,
    "impact": Level,
    "urgency": Level,
    "support_line": SupportLine,
    "status": Status,
}
"""Ticket fields whose values come from a closed vocabulary, with the enum that defines it."""
ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(KBArticle))


def _plain(value: Any) -> Any:
    if isinstance(value, SupportLine):
        return int(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value
