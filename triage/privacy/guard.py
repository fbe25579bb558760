"""`TicketPrivacy`: the one object every entry point redacts tickets, texts and requesters with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from triage.errors import ConfigError
from triage.privacy.config import RedactionConfig
from triage.privacy.hashing import DEFAULT_SECRET_FILE, Pseudonymizer, load_secret
from triage.privacy.redactor import Redactor
from triage.privacy.tickets import redact_ticket
from triage.schema import Ticket


@dataclass(frozen=True)
class TicketPrivacy:
    """Redacts tickets (text fields, requester name, requester -> keyed pseudonym) and free text
    with one deployment's settings. Idempotent: a redacted ticket passes through unchanged.

    `retention_months`: tickets created longer ago are dropped from training sets and indexes
    (None: kept)."""

    redactor: Redactor
    pseudonymizer: Pseudonymizer
    retention_months: int | None = None

    @classmethod
    def from_section(
        cls, section: Mapping[str, Any] | None, secret_file: Path | None = None
    ) -> TicketPrivacy:
        """From a `privacy:` mapping (redaction settings, `retention_months`, `secret_file`);
        the secret is read from `secret_file` (or the section's, or `DEFAULT_SECRET_FILE`),
        created on first use."""
        values = dict(section or {})
        own_file = values.pop("secret_file", None)
        path = secret_file or Path(own_file or DEFAULT_SECRET_FILE)
        months = values.pop("retention_months", None)
        if months is not None and (not isinstance(months, int) or months < 1):
            raise ConfigError(f"privacy.retention_months: {months!r}; use a whole number >= 1")
        config = RedactionConfig.from_mapping(values)
        return cls(Redactor(config), Pseudonymizer(load_secret(path)), months)

    def ticket(self, ticket: Ticket) -> Ticket:
        """`ticket` with personal data replaced by placeholders and its requester pseudonymised."""
        return redact_ticket(ticket, self.redactor, self.pseudonymizer)

    def tickets(self, tickets: Sequence[Ticket]) -> list[Ticket]:
        """`ticket` for each."""
        return [self.ticket(t) for t in tickets]

    def text(self, text: str) -> str:
        """Free text (a search query, a feedback comment) with personal data replaced."""
        return self.redactor.redact(text).text

    def requester_hash(self, requester: str) -> str:
        """The keyed pseudonym tickets of `requester` are stored under (for erasure)."""
        return self.pseudonymizer.requester(requester)

    def retained(self, tickets: Sequence[Ticket], now: datetime | None = None) -> list[Ticket]:
        """Tickets within `retention_months` of `now` (all of them when unset or undated)."""
        cutoff = retention_cutoff(self.retention_months, now)
        if cutoff is None:
            return list(tickets)
        return [t for t in tickets if t.created_at is None or t.created_at >= cutoff]


def retention_cutoff(months: int | None, now: datetime | None = None) -> datetime | None:
    """The oldest creation time kept: `now` minus `months` calendar months (30.44 days each,
    the mean month, so the cut-off never depends on the month it runs in); None: no limit."""
    if months is None:
        return None
    return (now or datetime.now(UTC)) - timedelta(days=30.44 * months)
