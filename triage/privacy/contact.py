"""E-mail addresses (a pattern) and phone numbers (Google's libphonenumber rules)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from triage.privacy.numbers import IBAN_SHAPE
from triage.privacy.spans import Kind, Span

_EMAIL = re.compile(r"(?<![\w.+-])\w[\w.+-]*@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-]|\.\w)")

# Cheap gate before the (slower) phonenumbers matcher: six digits with at most one separator
# between neighbours. 93% of sample tickets have no such run and skip the matcher.
_DIGIT_RUN = re.compile(r"\d(?:[\s().\-/]?\d){5}")
# libphonenumber reads some dates (`09-06-2005`: 0906 is a Dutch premium-rate prefix) and parts
# of version numbers (`10.0.14072.9184`) as numbers; neither is one here.
_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
# Dutch mobile numbers have one shape, 06 and eight digits; a number in a range not (yet)
# issued, which libphonenumber rejects (`06-01122334`), is still someone's number to a reader.
_NL_MOBILE = re.compile(r"(?<![\w+.-])06[ -]?\d{8}(?![\w.-]?\d)")
VERSION_CUE = re.compile(
    r"(?i:version|versie|release|build|upgrade|update|to|from|naar|van|v)\W{0,3}$"
)
"""Dotted digits right after these words are a version (`versie 3.11.40225`, `derby to
10.17.1.0`): no phone number and no IP address."""
_GLUED = re.compile(r"(?:\w|\d\.)$")


def find_emails(text: str) -> Iterator[Span]:
    """Every e-mail address (`local@domain.tld`)."""
    for match in _EMAIL.finditer(text):
        yield Span(match.start(), match.end(), Kind.EMAIL)


def find_phones(text: str, region: str = "NL") -> Iterator[Span]:
    """Valid phone numbers: national ones of `region` (e.g. `06-12345678`, `020 123 4567`) and
    international ones in any country (`+44 20 7946 0958`, `0049 30 1234567`).

    Leniency VALID: the number must be a valid, allocated number range, and a national number
    must carry its trunk prefix (`0`), so a bare 9-digit ticket or order number is no phone.
    With region NL, any `06` + eight digits counts too (unissued mobile ranges included)."""
    if not _DIGIT_RUN.search(text):
        return
    if region == "NL":
        for mobile in _NL_MOBILE.finditer(text):
            yield Span(mobile.start(), mobile.end(), Kind.PHONE)
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    ibans = [m.span() for m in IBAN_SHAPE.finditer(text)]
    for match in matcher:
        if not _is_part_of_something_else(text, match.start, match.end, ibans):
            yield Span(match.start, match.end, Kind.PHONE)


def _is_part_of_something_else(
    text: str, start: int, end: int, ibans: list[tuple[int, int]]
) -> bool:
    """A date, a dotted version number, or digits inside an IBAN-shaped token
    (one with a wrong check digit, which stays: it is no IBAN and no phone number)."""
    if _DATE.fullmatch(text[start:end]):
        return True
    if "." in text[start:end] and VERSION_CUE.search(text[max(start - 12, 0) : start]):
        return True
    before, after = text[max(start - 2, 0) : start], text[end : end + 2]
    if _GLUED.search(before) or re.match(r"[.,]\d", after):
        return True
    return any(s <= start and end <= e for s, e in ibans)
