"""Text hygiene: mojibake repair, whitespace, quoted history, signatures, language, fingerprints."""

from __future__ import annotations

import pytest

from triage.text import (
    clean_text,
    detect_language,
    normalise_whitespace,
    repair_mojibake,
    strip_quoted_history,
    text_fingerprint,
)


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Das ist nicht mÃ¶glich", "Das ist nicht möglich"),
        ("CafÃ© in de Ã©tÃ© week", "Café in de été week"),
        ("Ik heb het geprobeerd â€“ werkt niet", "Ik heb het geprobeerd – werkt niet"),
        ("De printer op de 2e verdieping is kapot", "De printer op de 2e verdieping is kapot"),
    ],
)
def test_text_repairs_mojibake(broken: str, fixed: str) -> None:
    assert repair_mojibake(broken) == fixed
    assert clean_text(broken) == fixed


def test_text_keeps_correct_accents_untouched() -> None:
    text = "Één collega in Zürich ziet façade-fouten, señor"
    assert clean_text(text) == text


def test_text_normalises_whitespace() -> None:
    raw = "  Hallo\t\tteam ,\r\n\r\n\r\n\r\nmijn   scherm\u00a0is zwart.  \n"
    assert normalise_whitespace(raw) == "Hallo team ,\n\nmijn scherm is zwart."


@pytest.mark.parametrize(
    "history",
    [
        "-----Original Message-----\nFrom: Jan\nSent: Monday\nSubject: old\n\nold text",
        "-----Oorspronkelijk bericht-----\nVan: Jan\nVerzonden: maandag\n\noude tekst",
        "Op ma 4 mrt 2024 om 09:00 schreef Jan Jansen <jan@example.nl>:\noude tekst",
        "On Mon, Mar 4, 2024 at 9:00 AM Jan Jansen <jan@example.com> wrote:\nold text",
        "Van: Servicedesk <sd@example.nl>\nVerzonden: maandag 4 maart 2024 09:00\nAan: Piet",
        "From: Service desk\nSent: Monday, March 4, 2024 9:00 AM\nTo: Piet",
        "Am 04.03.2024 um 09:00 schrieb Jan Jansen:\nalter Text",
    ],
)
def test_text_strips_quoted_history(history: str) -> None:
    body = "Mijn laptop start niet meer op.\n\n"
    cleaned = clean_text(body + history)
    assert cleaned == "Mijn laptop start niet meer op."


def test_text_strips_angle_quoted_lines() -> None:
    raw = "Nog steeds kapot.\n> Heeft u de laptop herstart?\n> Groet, servicedesk\nGraag hulp."
    assert strip_quoted_history(raw) == "Nog steeds kapot.\nGraag hulp."


def test_text_keeps_text_that_is_only_a_quote() -> None:
    raw = "> only quoted text"
    assert strip_quoted_history(raw) == raw


@pytest.mark.parametrize(
    "signature",
    [
        "Met vriendelijke groet,\nJan Jansen\nAfdeling Financiën\n020 123 4567",
        "Kind regards,\nJohn Smith",
        "-- \nJan Jansen | ICT",
        "Mit freundlichen Grüßen\nHans Müller",
        "Verstuurd vanaf mijn iPhone",
        "Sent from my Galaxy S24",
    ],
)
def test_text_strips_signatures(signature: str) -> None:
    text = "Hallo,\n\nDe VPN werkt niet."
    assert clean_text(f"{text}\n\n{signature}") == text


def test_text_clean_is_idempotent() -> None:
    raw = "Hoi,\n\nmÃ¶glich   probleem\n\nMet vriendelijke groet,\nJan\n> oud"
    once = clean_text(raw)
    assert clean_text(once) == once


def test_text_clean_of_empty_is_empty() -> None:
    assert clean_text("") == ""
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Mijn laptop start niet meer op sinds de update van gisteren", "nl"),
        ("Ik kan niet inloggen op de VPN, kunnen jullie mij helpen?", "nl"),
        ("My printer does not print anymore since this morning", "en"),
        ("The shared drive is not reachable from the office network", "en"),
        ("Ich kann mich nicht anmelden, das Passwort ist abgelaufen", "de"),
        ("Der Drucker im zweiten Stock funktioniert seit gestern nicht", "de"),
        ("Bonjour, mon imprimante ne fonctionne plus depuis ce matin", "fr"),
    ],
)
def test_text_detects_language(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "VPN", "ok!", "12345 67890 !!!", None])
def test_text_detect_language_none_for_too_short(text: str | None) -> None:
    assert detect_language(text) is None


def test_text_fingerprint_ignores_case_spacing_punctuation() -> None:
    a = text_fingerprint("Outlook start niet, foutmelding over profiel.")
    b = text_fingerprint("  outlook START niet foutmelding over   profiel ")
    assert a == b
    assert len(a) == 32
    assert a != text_fingerprint("Outlook start wel, foutmelding over profiel.")
