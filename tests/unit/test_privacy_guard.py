"""`TicketPrivacy`: one object redacts tickets, texts and requesters the same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pii import PLANTED_TEXT, REQUESTER, scan_text

from triage.errors import ConfigError
from triage.privacy.guard import TicketPrivacy, retention_cutoff
from triage.privacy.hashing import is_pseudonym
from triage.schema import Ticket


@pytest.fixture()
def privacy(tmp_path: Path) -> TicketPrivacy:
    return TicketPrivacy.from_section({}, secret_file=tmp_path / "secret")


def _ticket(**fields: object) -> Ticket:
    values: dict[str, object] = {"ticket_id": "T1", "subject": "VPN", "body": PLANTED_TEXT}
    values.update(fields)
    return Ticket(**values)  # type: ignore[arg-type]


def test_ticket_privacy_removes_planted_data_and_pseudonymises_the_requester(
    privacy: TicketPrivacy,
) -> None:
    ticket = privacy.ticket(_ticket(requester=REQUESTER, solution="Sanne de Vries gebeld"))
    assert scan_text(f"{ticket.subject} {ticket.body} {ticket.solution}") == []
    assert ticket.requester is not None and is_pseudonym(ticket.requester)
    assert "<IBAN>" in ticket.body and "<BSN>" in ticket.body and "<SECRET>" in ticket.body


def test_ticket_privacy_is_idempotent_on_the_whole_ticket(privacy: TicketPrivacy) -> None:
    once = privacy.ticket(_ticket(requester=REQUESTER))
    assert privacy.ticket(once) == once  # the pseudonym is not hashed again


def test_ticket_privacy_same_secret_same_pseudonym(tmp_path: Path) -> None:
    first = TicketPrivacy.from_section({}, secret_file=tmp_path / "s")
    again = TicketPrivacy.from_section({"names": "off"}, secret_file=tmp_path / "s")
    other = TicketPrivacy.from_section({}, secret_file=tmp_path / "other")
    address = "Sanne.DeVries@Rivierstad.example"  # the same address, other case
    assert first.requester_hash(REQUESTER) == again.requester_hash(address)
    assert first.requester_hash(REQUESTER) != other.requester_hash(REQUESTER)


def test_ticket_privacy_empty_kinds_turns_redaction_off(tmp_path: Path) -> None:
    off = TicketPrivacy.from_section({"kinds": []}, secret_file=tmp_path / "s")
    assert off.text(PLANTED_TEXT) == PLANTED_TEXT


def test_ticket_privacy_retention_drops_old_tickets(privacy: TicketPrivacy) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    kept = TicketPrivacy(privacy.redactor, privacy.pseudonymizer, retention_months=12)
    old = _ticket(ticket_id="old", created_at=now - timedelta(days=400))
    new = _ticket(ticket_id="new", created_at=now - timedelta(days=300))
    undated = _ticket(ticket_id="undated")
    assert [t.ticket_id for t in kept.retained([old, new, undated], now)] == ["new", "undated"]
    assert [t.ticket_id for t in privacy.retained([old, new], now)] == ["old", "new"]
    assert retention_cutoff(None) is None


@pytest.mark.parametrize("months", [0, -1, "12"])
def test_ticket_privacy_bad_retention_is_a_config_error(tmp_path: Path, months: object) -> None:
    with pytest.raises(ConfigError, match="retention_months"):
        TicketPrivacy.from_section({"retention_months": months}, secret_file=tmp_path / "s")
