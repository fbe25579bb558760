"""Redaction of personal data from ticket text before it is embedded, indexed, trained on or logged.

Pattern-based and conservative: e-mail addresses, phone numbers, IBANs (mod-97 checked), Dutch
citizen service numbers (BSN, eleven-test checked) and the requester's own name where known are
replaced by typed placeholders such as `[EMAIL]`. Host names, error codes and IP addresses are kept:
they are what makes IT tickets findable.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(
    r"(?<![\w-])(?:(?:\+|00)\d{2}[\s-]?(?:\(0\)[\s-]?)?\d{1,3}|0\d{1,3})(?:[\s-]?\d){6,8}(?![\w-])"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}[ ]?(?:[A-Z0-9]{4}[ ]?){2,7}[A-Z0-9]{1,4}\b")
_BSN = re.compile(r"(?<![\d.-])\d{9}(?![\d.-])")


@dataclass(frozen=True, slots=True)
class Redaction:
    """Redacted text and how many of each kind were replaced."""

    text: str
    counts: dict[str, int]


def _iban_valid(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def _bsn_valid(candidate: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(int(d) * w for d, w in zip(candidate, weights, strict=True))
    return total % 11 == 0 and candidate != "000000000"


def _sub(
    pattern: re.Pattern[str],
    tag: str,
    text: str,
    counts: Counter[str],
    check: Callable[[str], bool] | None = None,
) -> str:
    def replace(match: re.Match[str]) -> str:
        if check is not None and not check(match.group(0)):
            return match.group(0)
        counts[tag] += 1
        return f"[{tag}]"

    return pattern.sub(replace, text)


def _name_pattern(name: str) -> re.Pattern[str] | None:
    parts = [re.escape(p) for p in name.split() if len(p) > 1]
    if not parts:
        return None
    return re.compile(r"\b" + r"\s+".join(parts) + r"\b", re.IGNORECASE)


def redact(text: str, *, names: tuple[str, ...] = ()) -> Redaction:
    """Replace personal data in `text` by placeholders; `names` are known people (the requester)."""
    counts: Counter[str] = Counter()
    out = _sub(_EMAIL, "EMAIL", text, counts)
    out = _sub(_IBAN, "IBAN", out, counts, _iban_valid)
    out = _sub(_BSN, "BSN", out, counts, _bsn_valid)
    out = _sub(_PHONE, "PHONE", out, counts)
    for name in names:
        pattern = _name_pattern(name)
        if pattern is not None:
            out = _sub(pattern, "NAME", out, counts)
    return Redaction(out, dict(counts))


def redact_text(text: str, *, names: tuple[str, ...] = ()) -> str:
    """`redact(...).text`: the text with personal data replaced."""
    return redact(text, names=names).text
