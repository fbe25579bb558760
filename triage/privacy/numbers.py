"""Checksum-validated numbers: IBAN (mod-97), BSN (eleven-test) and payment cards (Luhn)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban, luhn
from stdnum.nl import bsn

from triage.privacy.spans import Kind, Span

# Country code, check digits, then 11-30 characters in optional groups of four (`NL91 ABNA 0417
# 1643 00`). Case-insensitive: users type IBANs in lower case too. Shape only: check digits are
# checked after.
_IBAN_BODY = r"[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}(?![\w-])"
IBAN_SHAPE = re.compile(r"(?<![\w-])" + _IBAN_BODY, re.IGNORECASE)
_IBAN_GLUED = re.compile(_IBAN_BODY, re.IGNORECASE)
_BSN = re.compile(r"(?<![\w.,/-])(?:\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3} \d{3} \d{3})(?![.,:/-]?\w)")
_CARD = re.compile(r"(?<![\w.,/-])\d(?:[ -]?\d){12,18}(?![.,:/-]?\w)")
# Issuer prefixes of the cards seen in Europe (Visa, Mastercard, Amex, Maestro, Discover, JCB,
# Diners): a Luhn-valid 16-digit order number with another prefix stays.
_CARD_PREFIX = re.compile(r"^(?:4|5[0-8]|2[2-7]|3[4-9]|30|6)")


def find_ibans(text: str) -> Iterator[Span]:
    """IBANs whose mod-97 check and national format hold (any country; `stdnum.iban`).
    A candidate that swallowed a following word is shortened one group at a time; an IBAN
    glued to the end of another is found too (so a second pass finds nothing new)."""
    pos = 0
    while match := IBAN_SHAPE.search(text, pos):
        span = _valid_prefix(match.start(), match.group(0))
        pos = match.end() if span is None else span.end
        while span is not None:
            yield span
            glued = _IBAN_GLUED.match(text, span.end)
            span = _valid_prefix(span.end, glued.group(0)) if glued else None
            pos = span.end if span is not None else pos


def _valid_prefix(start: int, candidate: str) -> Span | None:
    while len(candidate.replace(" ", "")) >= 15:
        if iban.is_valid(candidate):
            return Span(start, start + len(candidate), Kind.IBAN)
        cut = candidate.rfind(" ")
        candidate = (candidate[:cut] if cut > 4 else candidate[:-1]).rstrip(" -")
    return None


def find_bsns(text: str) -> Iterator[Span]:
    """Dutch citizen service numbers: 9 digits (also `1234.56.782`, `123 456 782`) that pass
    the eleven-test (`stdnum.nl.bsn`). One random 9-digit number in 11 passes too."""
    for match in _BSN.finditer(text):
        if bsn.is_valid(match.group(0)):
            yield Span(match.start(), match.end(), Kind.BSN)


def find_cards(text: str) -> Iterator[Span]:
    """Payment card numbers: 13-19 digits (spaces or dashes allowed), a known issuer prefix and
    a valid Luhn check digit (`stdnum.luhn`)."""
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group(0))
        if _CARD_PREFIX.match(digits) and luhn.is_valid(digits):
            yield Span(match.start(), match.end(), Kind.CARD)
