"""`Redactor`: finds personal data with the configured detectors and writes typed placeholders."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from triage.privacy import contact, names, network, numbers, passwords
from triage.privacy.config import Names, RedactionConfig
from triage.privacy.spans import (
    Kind,
    Span,
    apply,
    glued,
    protected_ranges,
    resolve,
    to_original,
)

Detector = Callable[[str], Iterable[Span]]
"""A function from a text to the spans of personal data it finds (any order, may overlap)."""


@dataclass(frozen=True, slots=True)
class Redaction:
    """A redacted text, and what was replaced: `spans` index the *original* text."""

    text: str
    spans: tuple[Span, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Replacements per kind, e.g. `{"EMAIL": 1, "PHONE": 2}`."""
        out: dict[str, int] = {}
        for span in self.spans:
            out[str(span.kind)] = out.get(str(span.kind), 0) + 1
        return out


class Redactor:
    """Replaces personal data by typed placeholders (`<EMAIL>`, `<PHONE>`, ...).

    Deterministic and idempotent: redacting redacted text changes nothing, and a find that
    touches an existing placeholder is dropped, so placeholders never nest. Thread-safe (holds
    no state but its settings)."""

    def __init__(self, config: RedactionConfig | None = None) -> None:
        self.config = config or RedactionConfig()
        self._detectors = _detectors(self.config)

    def redact(self, text: str, known_names: Sequence[str] = ()) -> Redaction:
        """`text` with personal data replaced; `known_names` are people known to be in it
        (the requester), removed in their usual forms whatever `config.names` says."""
        spans = self._find(text, known_names)
        redacted, _ = apply(text, spans, self.config.style)
        # A find glued to its neighbours (rare) can hide the next one behind a word boundary
        # that its placeholder removes: look again until nothing new turns up, so a second
        # redaction changes nothing. Each pass adds a find, so this ends.
        while glued(text, spans):
            more = self._find(redacted, known_names)
            if not more:
                break
            spans = sorted(spans + to_original(more, spans, self.config.style))
            redacted, _ = apply(text, spans, self.config.style)
        return Redaction(redacted, tuple(spans))

    def _find(self, text: str, known_names: Sequence[str]) -> list[Span]:
        found: list[Span] = []
        for detector in self._detectors:
            found.extend(detector(text))
        if known_names and Kind.PERSON in self.config.kinds:
            found.extend(names.find_known_names(text, known_names))
        return resolve(self._allowed(text, found), protected_ranges(text))

    def _allowed(self, text: str, spans: list[Span]) -> list[Span]:
        allow = self.config.allow
        if not allow:
            return spans
        return [s for s in spans if not _is_allowed(text[s.start : s.end], s.kind, allow)]


def _is_allowed(found: str, kind: Kind, allow: frozenset[str]) -> bool:
    """An allowed term, or (for a name) a name with an allowed word ("Citrix Workspace")."""
    if found.casefold() in allow:
        return True
    return kind is Kind.PERSON and any(w.casefold() in allow for w in found.split())


def _detectors(config: RedactionConfig) -> list[Detector]:
    kinds = config.kinds
    table: list[tuple[Kind, Detector]] = [
        (Kind.EMAIL, contact.find_emails),
        (Kind.PHONE, functools.partial(contact.find_phones, region=config.region)),
        (Kind.IBAN, numbers.find_ibans),
        (Kind.BSN, numbers.find_bsns),
        (Kind.CARD, numbers.find_cards),
        (Kind.IP, network.find_ips),
        (Kind.URL, network.find_secret_urls),
        (Kind.SECRET, passwords.find_passwords),
        (Kind.HOST, network.find_hosts),
    ]
    chosen = [detector for kind, detector in table if kind in kinds]
    if Kind.PERSON in kinds and config.names is Names.CONTEXT:
        chosen.append(names.find_context_names)
    return chosen


@functools.cache
def default_redactor() -> Redactor:
    """The redactor with default settings, built on first use and then shared."""
    return Redactor()


def redact_text(text: str, known_names: Sequence[str] = ()) -> str:
    """`text` redacted with the default settings (`default_redactor().redact(...).text`)."""
    return default_redactor().redact(text, known_names).text
