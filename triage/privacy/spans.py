"""What a detector finds (a typed span), placeholders, and how overlapping finds are resolved."""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


class Kind(enum.StrEnum):
    """A kind of personal data; its value is the placeholder's name (`<EMAIL>`)."""

    EMAIL = "EMAIL"
    PHONE = "PHONE"
    IBAN = "IBAN"
    BSN = "BSN"
    CARD = "CARD"
    IP = "IP"
    URL = "URL"
    SECRET = "SECRET"
    PERSON = "PERSON"
    HOST = "HOST"


# When two finds overlap the higher rank wins, then the longer: a URL that carries an e-mail
# address is one `<URL>`; a checksum-valid number beats a phone-number reading of its digits.
_RANK: dict[Kind, int] = {
    Kind.URL: 9,
    Kind.EMAIL: 8,
    Kind.SECRET: 7,
    Kind.IBAN: 6,
    Kind.CARD: 5,
    Kind.BSN: 5,
    Kind.PHONE: 4,
    Kind.IP: 3,
    Kind.PERSON: 2,
    Kind.HOST: 1,
}

PLACEHOLDER_PATTERN = re.compile(r"<(?:%s)>|\[(?:%s)\]" % (("|".join(Kind),) * 2))
"""Any placeholder, in either style (`<EMAIL>`, `[EMAIL]`): redaction never touches these."""


class Style(enum.StrEnum):
    """How a placeholder is written: `angle` -> `<EMAIL>`, `square` -> `[EMAIL]`."""

    ANGLE = "angle"
    SQUARE = "square"


def placeholder(kind: Kind, style: Style = Style.ANGLE) -> str:
    """The text that replaces a find of `kind`."""
    return f"<{kind}>" if style is Style.ANGLE else f"[{kind}]"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """Characters `start:end` of a text hold personal data of `kind`."""

    start: int
    end: int
    kind: Kind


def resolve(spans: Iterable[Span], protected: Iterable[tuple[int, int]] = ()) -> list[Span]:
    """Non-overlapping spans in text order: by rank, then length; none that touches a
    `protected` range (an existing placeholder), so placeholders never nest."""
    taken: list[tuple[int, int]] = list(protected)
    chosen: list[Span] = []
    ordered = sorted(spans, key=lambda s: (-_RANK[s.kind], s.start - s.end, s.start))
    for span in ordered:
        if span.end > span.start and not _overlaps(span, taken):
            taken.append((span.start, span.end))
            chosen.append(span)
    return sorted(chosen)


def _overlaps(span: Span, taken: list[tuple[int, int]]) -> bool:
    return any(span.start < end and start < span.end for start, end in taken)


def protected_ranges(text: str) -> list[tuple[int, int]]:
    """Where `text` already holds placeholders (character ranges)."""
    return [m.span() for m in PLACEHOLDER_PATTERN.finditer(text)]


def apply(text: str, spans: list[Span], style: Style) -> tuple[str, Counter[Kind]]:
    """`text` with each (resolved, sorted) span replaced by its placeholder, and the counts."""
    parts: list[str] = []
    counts: Counter[Kind] = Counter()
    last = 0
    for span in spans:
        parts.append(text[last : span.start])
        parts.append(placeholder(span.kind, style))
        counts[span.kind] += 1
        last = span.end
    parts.append(text[last:])
    return "".join(parts), counts


# Neighbours of a find that no detector reads differently when the find becomes a placeholder
# (detectors look at most two characters around them): spaces and punctuation that can neither
# start nor end a find.
_NEUTRAL = frozenset(" \t\n\r,;!?()[]{}\"'")


def glued(text: str, spans: list[Span]) -> bool:
    """Whether a find has a neighbour within two characters that its placeholder changes for a
    detector (a digit, a letter, `.`, `:`, `+`): `NL..4759(010) 604 8764` -> `<IBAN>(010) 604
    8764` reveals a phone number, so the redactor looks again, to stay idempotent."""
    for s in spans:
        around = text[max(s.start - 2, 0) : s.start] + text[s.end : s.end + 2]
        if any(c not in _NEUTRAL for c in around):
            return True
    return False


def to_original(found: list[Span], applied: list[Span], style: Style) -> list[Span]:
    """Spans found in a redacted text mapped back onto the original text that `applied` (sorted,
    non-overlapping) redacted; each lies between two placeholders, so the shift is constant."""
    out: list[Span] = []
    for span in found:
        shift = 0
        for done in applied:
            done_at = done.start - shift  # where its placeholder starts in the redacted text
            if done_at >= span.end:
                break
            shift += (done.end - done.start) - len(placeholder(done.kind, style))
        out.append(Span(span.start + shift, span.end + shift, span.kind))
    return out
