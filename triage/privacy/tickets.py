"""Redact a whole ticket: its free-text fields, and the requester's name wherever it appears."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from triage.privacy.hashing import Pseudonymizer
from triage.privacy.redactor import Redactor
from triage.schema import Ticket

TEXT_FIELDS: tuple[str, ...] = ("subject", "body", "cause", "solution")
"""The free-text fields of a `Ticket` that can hold personal data."""

_ADDRESS = re.compile(r"<?[\w.+-]+@[\w.-]+>?")


def requester_name(requester: str | None) -> str | None:
    """The person's name in a requester field (`Sanne de Vries <s.devries@x.example>` ->
    `Sanne de Vries`); None when it holds only an address or nothing."""
    if not requester:
        return None
    name = _ADDRESS.sub(" ", requester).strip(" ,;\"'")
    return " ".join(name.split()) or None


def redact_ticket(
    ticket: Ticket, redactor: Redactor, pseudonymizer: Pseudonymizer | None = None
) -> Ticket:
    """A new ticket with `subject`, `body`, `cause` and `solution` redacted, the requester's
    name removed wherever it appears, and `requester` replaced by its pseudonym (or None
    without a pseudonymizer), so tickets of one person can still be found for erasure."""
    name = requester_name(ticket.requester)
    known = (name,) if name else ()
    changes: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        value = getattr(ticket, field)
        if value:
            changes[field] = redactor.redact(value, known).text
    if ticket.requester is not None:
        changes["requester"] = (
            pseudonymizer.requester(ticket.requester) if pseudonymizer is not None else None
        )
    return dataclasses.replace(ticket, **changes)
