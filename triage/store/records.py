"""What the store keeps: API keys, predictions, agent feedback and resolved tickets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from triage.errors import FeedbackStoreError
from triage.schema import TARGETS, Ticket

Outcome = Literal["accepted", "corrected", "rejected", "rated"]
"""What an agent did with a prediction (the API schema uses this type too). `accepted` /
`corrected` / `rejected`: a verdict on the predicted labels (the latest one counts). `rated`: no
verdict on the labels, only which similar ticket or KB article helped or did not."""
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
VERDICTS: tuple[Outcome, ...] = ("accepted", "corrected", "rejected")
"""The outcomes that judge the predicted labels."""
Scope = Literal["triage", "agent", "lead", "admin"]
"""`triage`: ticket systems; `agent`: feedback and search; `lead`: insight (KPIs, clusters, KB
gaps, incidents); `admin`: reload, stats (implies all)."""
SCOPES: tuple[Scope, ...] = get_args(Scope)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored API key: only the SHA-256 of the secret is kept."""

    key_id: str
    key_hash: str
    scopes: frozenset[str]
    name: str
    created_at: datetime
    revoked_at: datetime | None = None

    def allows(self, scope: str) -> bool:
        """True if the key holds `scope` (admin holds every scope) and is not revoked."""
        return self.revoked_at is None and (scope in self.scopes or "admin" in self.scopes)


@dataclass(frozen=True, slots=True)
class PredictionRecord:
    """One answered triage: the input ticket and, per target, label, confidence and action."""

    prediction_id: str
    ticket: Ticket
    model_version: str
    labels: dict[str, dict[str, Any]]
    created_at: datetime = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class PredictionLabels:
    """A stored prediction without its ticket: what counting reports need (volume), read without
    decoding the ticket JSON."""

    prediction_id: str
    ticket_id: str
    labels: dict[str, dict[str, Any]]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """What an agent did with a prediction."""

    prediction_id: str
    outcome: str
    corrections: dict[str, str] = field(default_factory=dict)
    solved_by_ticket_id: str | None = None
    kb_article_id: str | None = None
    kb_helpful: bool | None = None
    agent: str | None = None
    comment: str | None = None
    created_at: datetime = field(default_factory=_now)
    key_id: str | None = None
    """The API key that sent it (None: written before keys were recorded, or by the CLI)."""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise FeedbackStoreError(f"outcome {self.outcome!r} unknown; use one of {OUTCOMES}")
        unknown = set(self.corrections) - set(TARGETS)
        if unknown:
            raise FeedbackStoreError(
                f"corrections for unknown targets {sorted(unknown)}; use {TARGETS}"
            )


@dataclass(frozen=True, slots=True)
class ResolvedRecord:
    """A ticket closed in the ticket system with its final labels (the value at close)."""

    ticket: Ticket
    prediction_id: str | None = None
    created_at: datetime = field(default_factory=_now)
    key_id: str | None = None
    """The API key that wrote this version (kept in `ticket_history`)."""


@dataclass(frozen=True, slots=True)
class TicketWrite:
    """One write of a resolved ticket: its version (1 = the first, whose key owns the ticket)."""

    ticket_id: str
    version: int
    key_id: str | None
    resolved_id: int
    created_at: datetime
