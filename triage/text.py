"""Text hygiene for tickets: mojibake repair, quoted-history stripping, language, fingerprints."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
from typing import Any

logger = logging.getLogger(__name__)

LANGUAGES: tuple[str, ...] = ("nl", "en", "de", "fr", "es", "it", "pt")
"""Languages `detect_language` chooses from (ISO 639-1)."""

MIN_LANGUAGE_CHARS = 12
"""Texts with fewer letters than this get no language (too short to tell)."""

MIN_LANGUAGE_CONFIDENCE = 0.6
"""Normalised py3langid probability below which the language is left unknown."""

LANGUAGE_SAMPLE_CHARS = 240
"""Only the first characters are classified: enough to tell, and the cost grows with length."""

# A UTF-8 lead byte read as cp1252/latin-1 (Â..ô) followed by a continuation byte (0x80-0xBF
# as latin-1 or cp1252): the signature of mojibake. Cheap gate so ftfy only runs where it can help.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_HISTORY_MARKERS = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*(?:Original Message|Oorspronkelijk bericht|Ursprüngliche Nachricht|"
    r"Message d'origine|Forwarded message|Doorgestuurd bericht)\s*-{2,}"
    r"|(?:Op|Am|Le|El|On)\s.{4,200}?(?:schreef|schrieb|a écrit|escribió|wrote)\s*.{0,80}:"
    r"|(?:Van|From|Von|De)\s*:\s*\S.*\n\s*(?:Verzonden|Sent|Gesendet|Envoyé|Date|Datum)\s*:"
    r"|_{10,}\s*$"
    r")",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>.*(?:\n|$)", re.MULTILINE)
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)
_CLOSING = re.compile(
    r"^\s*(?:met vriendelijke groet(?:en)?|mvg|vriendelijke groet(?:en)?|kind regards|"
    r"best regards|regards|mit freundlichen grüßen|viele grüße|cordialement|"
    r"(?:sent from|verzonden vanaf|verstuurd vanaf|gesendet von) (?:my|mijn|meinem) "
    r"\S+(?: \S+)?)\b[ ,.!]*$",
    re.IGNORECASE | re.MULTILINE,
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_NON_WORD = re.compile(r"[^\w]+")
_LETTERS = re.compile(r"[^\W\d_]")
_CLOSING_TAIL_LINES = 6

FORMAT_CHARS = r"\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
"""Zero-width, bidirectional and other invisible format characters (a regex class body)."""
CONTROL_CHARS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
"""C0 and C1 control characters but tab, line feed and carriage return (a regex class body)."""
VISIBLE_PATTERN = rf"[^\s{FORMAT_CHARS}{CONTROL_CHARS}]"
"""One character `clean_text` keeps as text: a text without one cleans to "" (ECMA and Python
regex alike, so the API's JSON Schema refuses what the service refuses)."""
_FORMAT = re.compile(f"[{FORMAT_CHARS}]+")
_CONTROL = re.compile(f"[{CONTROL_CHARS}]+")


def strip_invisible(s: str) -> str:
    """Drop invisible format characters (zero-width space, bidi marks, BOM) and turn control
    characters into a space, so a text of only such characters is empty."""
    return _CONTROL.sub(" ", _FORMAT.sub("", s))


def repair_mojibake(s: str) -> str:
    """Fix text that was UTF-8 decoded as cp1252/latin-1 (`mÃ¶glich` -> `möglich`) with ftfy."""
    if s.isascii() or not _MOJIBAKE.search(s):
        return s
    import ftfy

    return ftfy.fix_text(s, normalization="NFC")


def normalise_whitespace(s: str) -> str:
    """Unify line ends, collapse runs of spaces/tabs and of blank lines, strip each line."""
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _SPACES.sub(" ", s)
    s = "\n".join(line.strip() for line in s.split("\n"))
    return _BLANK_LINES.sub("\n\n", s).strip()


def strip_quoted_history(s: str) -> str:
    """Cut quoted e-mail history: everything from the first reply header, and `>` quoted lines.

    Recognises "-----Original Message-----" (and nl/de/fr variants), "On ... wrote:",
    "Op ... schreef ...:", "Am ... schrieb ...:", and "From:/Van:" followed by a "Sent:/Verzonden:"
    header. If cutting would leave no text, the text is returned unchanged.
    """
    match = _HISTORY_MARKERS.search(s)
    kept = s[: match.start()] if match else s
    if ">" in kept:
        kept = _QUOTED_LINE.sub("", kept)
    return kept if kept.strip() else s


def strip_signature(s: str) -> str:
    """Cut a "-- " signature block, or a closing ("Met vriendelijke groet", "Kind regards", ...)
    and the few name/title lines after it when it sits at the end of the text."""
    match = _SIGNATURE.search(s)
    if match and s[: match.start()].strip():
        s = s[: match.start()]
    lines = s.rstrip().split("\n")
    tail_start = max(0, len(lines) - _CLOSING_TAIL_LINES)
    for i in range(tail_start, len(lines)):
        if i > 0 and _CLOSING.match(lines[i]):
            return "\n".join(lines[:i])
    return s


def clean_text(s: str | None) -> str:
    """Ticket text as the models should read it.

    Drops invisible and control characters, repairs mojibake, normalises Unicode (NFC) and
    whitespace, strips quoted e-mail history and signatures.
    Idempotent: `clean_text(clean_text(s)) == clean_text(s)`.
    """
    if not s:
        return ""
    s = repair_mojibake(strip_invisible(s))
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = strip_signature(strip_quoted_history(s))
    return normalise_whitespace(s)


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(s: str | None) -> str | None:
    """ISO 639-1 code of the text's language among `LANGUAGES`, or None.

    None when the text has fewer than `MIN_LANGUAGE_CHARS` letters or py3langid's normalised
    probability is below `MIN_LANGUAGE_CONFIDENCE`. The model loads once (about 1 s) on first use.
    """
    if not s or len(_LETTERS.findall(s, 0, 200)) < MIN_LANGUAGE_CHARS:
        return None
    language, confidence = _identifier().classify(s[:LANGUAGE_SAMPLE_CHARS])
    return str(language) if confidence >= MIN_LANGUAGE_CONFIDENCE else None


def normalise_for_fingerprint(s: str) -> str:
    """Case-folded words of the text, punctuation and whitespace differences removed."""
    return " ".join(_NON_WORD.sub(" ", s.casefold()).split())


def text_fingerprint(s: str) -> str:
    """Hex digest (32 chars), equal for texts that differ only in case, spacing, punctuation."""
    normalised = normalise_for_fingerprint(s)
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=16).hexdigest()
