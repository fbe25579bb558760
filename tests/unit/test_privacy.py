"""Redaction of personal data keeps what IT tickets need (hosts, codes) and drops the person."""

import pytest

from triage.privacy import redact, redact_text


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("mail me at j.devries@gemeente-utrecht.nl please", "EMAIL"),
        ("bel mij op 06-12345678", "PHONE"),
        ("tel: +31 20 123 4567", "PHONE"),
        ("rekening NL91ABNA0417164300 klopt niet", "IBAN"),
        ("BSN 111222333 in het zaaksysteem", "BSN"),
    ],
)
def test_redact_replaces_personal_data_with_typed_placeholder(text: str, tag: str) -> None:
    result = redact(text)
    assert f"[{tag}]" in result.text
    assert result.counts == {tag: 1}


@pytest.mark.parametrize(
    "text",
    [
        "error 0x800CCC0E in Outlook",
        "srv-app-03 disk /var at 95%",
        "ping 10.20.30.40 times out",
        "ticket INC-2025-000123 reopened",
        "order 123456789 is not a BSN",  # fails the eleven test
        "NL00ABNA0000000000 is not a valid IBAN",
    ],
)
def test_redact_keeps_technical_identifiers(text: str) -> None:
    assert redact_text(text) == text


def test_redact_known_requester_name_case_insensitive() -> None:
    text = "Met vriendelijke groet,\nJan de Vries\nAfdeling Financien"
    out = redact(text, names=("Jan de Vries",))
    assert "Jan" not in out.text and out.counts == {"NAME": 1}


def test_redact_is_idempotent() -> None:
    once = redact_text("mail a@b.nl of bel 0612345678")
    assert redact_text(once) == once
