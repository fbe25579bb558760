"""Redacting a whole ticket, and keyed pseudonyms for identifiers that must stay matchable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from triage.errors import ConfigError
from triage.privacy.hashing import Pseudonymizer, load_secret, requester_key
from triage.privacy.redactor import Redactor
from triage.privacy.tickets import redact_ticket, requester_name
from triage.schema import Ticket

SECRET = b"0123456789abcdef0123456789abcdef"


def _ticket(**fields: object) -> Ticket:
    base: dict[str, object] = {
        "ticket_id": "INC-2025-000042",
        "subject": "VPN valt weg bij Sanne",
        "body": "Mw. de Vries belt: bel terug op 06-12345678. Groet, Sanne de Vries",
        "requester": "Sanne de Vries <s.devries@rivierstad.example>",
        "cause": "Token van s.devries@rivierstad.example verlopen",
        "solution": "Nieuw token, wachtwoord: Welkom01 doorgegeven",
        "category": "network_vpn",
    }
    return Ticket(**{**base, **fields})  # type: ignore[arg-type]


def test_redact_ticket_cleans_every_text_field_and_the_requester_name() -> None:
    ticket = _ticket()
    out = redact_ticket(ticket, Redactor(), Pseudonymizer(SECRET))
    assert out.subject == "VPN valt weg bij <PERSON>"
    assert out.body == "Mw. <PERSON> belt: bel terug op <PHONE>. Groet, <PERSON>"
    assert out.cause == "Token van <EMAIL> verlopen"
    assert out.solution == "Nieuw token, wachtwoord: <SECRET> doorgegeven"
    assert out.requester == Pseudonymizer(SECRET).requester("s.devries@rivierstad.example")
    assert (out.ticket_id, out.category) == (ticket.ticket_id, ticket.category)
    assert ticket.body.startswith("Mw. de Vries")  # the original is untouched


def test_redact_ticket_without_pseudonymizer_drops_the_requester() -> None:
    out = redact_ticket(_ticket(cause=None, solution=None), Redactor())
    assert out.requester is None and out.cause is None and out.solution is None


@pytest.mark.parametrize(
    ("requester", "name"),
    [
        ("Sanne de Vries <s.devries@rivierstad.example>", "Sanne de Vries"),
        ("s.devries@rivierstad.example", None),
        ('"de Vries, Sanne" <s@x.example>', "de Vries, Sanne"),
        (None, None),
    ],
)
def test_requester_name_takes_the_name_part(requester: str | None, name: str | None) -> None:
    assert requester_name(requester) == name


def test_pseudonym_is_stable_keyed_and_purpose_bound() -> None:
    one, other = Pseudonymizer(SECRET), Pseudonymizer(SECRET[::-1])
    assert one.hash("x") == Pseudonymizer(SECRET).hash("x")
    assert len(one.hash("x")) == 64 and one.hash("x") != other.hash("x")
    assert one.hash("x", purpose="cache") != one.hash("x", purpose="requester")


def test_pseudonym_of_requester_ignores_case_and_the_display_name() -> None:
    p = Pseudonymizer(SECRET)
    assert p.requester("Sanne de Vries <S.deVries@Rivierstad.example>") == p.requester(
        "s.devries@rivierstad.example"
    )
    assert requester_key("  Jan   JANSEN ") == "jan jansen"


def test_pseudonymizer_refuses_a_short_secret() -> None:
    with pytest.raises(ConfigError, match="too short"):
        Pseudonymizer(b"short")


def test_load_secret_creates_once_private_and_then_reuses(tmp_path: Path) -> None:
    path = tmp_path / "privacy" / "secret"
    first = load_secret(path)
    assert len(first) == 32 and load_secret(path) == first
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret"]  # no temporary file left
    path.write_bytes(b"x")
    with pytest.raises(ConfigError, match="expected 32"):
        load_secret(path)
