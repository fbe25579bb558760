"""Person names: the requester's known name in its usual forms, and names given away by context."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from triage.privacy.spans import Kind, Span

_PARTICLE = (
    r"(?:van der|van den|van de|van 't|van|de|den|der|ter|ten|te|'t|in 't|von|zu|vom|le|la|du)"
)
_WORD = r"[A-Z][a-zà-öø-ÿ']+(?:-[A-Z][a-zà-öø-ÿ']+)?"
_INITIALS = r"(?:[A-Z]\.\s?){1,3}"
# One to three capitalised words, optional initials and particles: "J.P. van der Berg-Smit".
_NAME = rf"(?:{_INITIALS}\s?)?(?:{_PARTICLE}\s+)?{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{0,2}}"
_SURNAME = rf"(?:{_INITIALS}\s?)?(?:{_PARTICLE}\s+)?{_WORD}(?:\s+{_WORD})?"

_TITLE = re.compile(
    r"\b(?i:mw|mevr|mevrouw|dhr|meneer|mr|mrs|ms|miss|dr|herr|frau|hr|fr)\.?\s+"
    rf"(?P<name>{_SURNAME})"
)
_INTRO = re.compile(
    r"\b(?i:mijn naam is|ik ben|my name is|this is|i am|i'm|mein name ist|ich bin|hier is|"
    r"hier spricht|namens|on behalf of|im auftrag von|collega|colleague|kollegin|kollege|"
    r"contactpersoon|contact person|ansprechpartner(?:in)?|melder|aanvrager|requester|caller|"
    r"beller|naam|gebruiker|medewerker|mitarbeiter(?:in)?)\s*:?\s+"
    rf"(?P<name>{_NAME})"
)
# English field words that also start ordinary phrases ("user delegation", "name node"): a name
# only after a colon ("User: Jan Jansen").
_FIELD = re.compile(
    r"\b(?i:name|user|employee|cc|from|to)\s*:\s*"
    rf"(?P<name>{_NAME})"
)
_CALLS = re.compile(
    rf"(?P<name>{_NAME})\s+(?:belt|belde|heeft gebeld|phoned|rang|called in|calls in|ruft an|"
    r"rief an|hat angerufen|meldt|meldde|meldet)\b"
)
# Things that belong to a person: "het account van Lisa Meijer", "access for John Miller".
_OWNER = re.compile(
    r"\b(?i:account|toegang|access|laptop|mailbox|mail|telefoon|phone|pc|werkplek|agenda|"
    r"calendar|zugang|zugriff|konto|rechner|postvak)\s+(?i:van|voor|for|of|für|von)\s+"
    rf"(?P<name>{_NAME})"
)
# Dutch "Thijs hier"; not English "here", which follows any capitalised word in prose.
_HERE = re.compile(rf"(?P<name>{_NAME}),?\s+(?i:hier)\b")
_CLOSING = re.compile(
    r"(?i:met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groet(?:en|jes)?|mvg|gr\.?|"
    r"kind regards|best regards|regards|thanks|thank you|cheers|best|"
    r"mit freundlichen grüßen|viele grüße|grüße|lg|mfg)\s*[,.!]?[ \t]*(?:\n\s*|[ \t]+)"
    rf"(?P<name>{_NAME})[ \t]*(?:\n|$)"
)
# Capitalised words that follow those cues but are no name: roles, teams, products, weekdays.
_NO_NAMES = """
    servicedesk helpdesk ict it team afdeling department abteilung support beheer gemeente
    rivierstad teamleider manager collega colleague user gebruiker medewerker mitarbeiter
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag monday tuesday wednesday
    thursday friday saturday sunday montag dienstag mittwoch donnerstag freitag vandaag today
    heute het een the a an ik i ich we wij wir hallo hello hi hoi beste dear sorry thanks
    bedankt dank danke vriendelijke kind best microsoft outlook teams windows citrix afas
    excel word office exact topdesk globalprotect sharepoint onedrive publiekshal balie
    receptie hr financien finance facilitair niet not nicht ook also auch al already schon
    ze zij hij he she they er sie es mevrouw meneer klant customer kunde burger iemand someone
    jemand alle everyone iedereen niemand nobody vpn wifi laptop printer beller melder
    caller aanvrager requester contactpersoon
    """
_NOT_A_NAME = frozenset(_NO_NAMES.split())


# Each pattern with the words it needs (lower case); a text without any of them skips it. The
# patterns that start with the name try it at every position: about 1 us per character each.
_PATTERNS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (_TITLE, ()),
    (_INTRO, ()),
    (_FIELD, (":",)),
    (_CALLS, ("belt", "belde", "gebeld", "phoned", "rang", "call", "ruf", "rief", "meld")),
    (
        _OWNER,
        (
            "account",
            "toegang",
            "access",
            "laptop",
            "mail",
            "telefoon",
            "phone",
            "pc",
            "werkplek",
            "agenda",
            "calendar",
            "zugang",
            "zugriff",
            "konto",
            "rechner",
            "postvak",
        ),
    ),
    (_HERE, ("hier",)),
    (_CLOSING, ("groet", "mvg", "gr", "regards", "thank", "cheers", "best", "grüße", "lg", "mfg")),
)


def find_context_names(text: str) -> Iterator[Span]:
    """Unknown names that the words around them give away, in Dutch, English and German: a
    title ("Mw. Jansen", "Mr Smith", "Herr Vogel"), the line after a closing ("Met vriendelijke
    groet,\nJan Bakker"), an introduction ("mijn naam is", "my name is", "Thijs hier"), a
    phone note ("Piet Hein belt"), a form field ("Naam: ..."), an owner ("het account van Lisa
    Meijer"). Names without such a cue stay (recall and precision in BENCHMARKS.md)."""
    lower = text.lower()
    for pattern, gate in _PATTERNS:
        if gate and not any(word in lower for word in gate):
            continue
        for match in pattern.finditer(text):
            span = _trim(text, match.start("name"), match.end("name"))
            if span is not None:
                yield span


def _trim(text: str, start: int, end: int) -> Span | None:
    """Drop leading and trailing words that are no name ("Hallo", "Servicedesk") and dangling
    particles; None when no capitalised word is left."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    while words and _not_a_name(text[words[0][0] : words[0][1]]):
        words.pop(0)
    while words and (
        _not_a_name(text[words[-1][0] : words[-1][1]]) or text[words[-1][0]].islower()
    ):
        words.pop()
    if not words:
        return None
    return Span(words[0][0], words[-1][1], Kind.PERSON)


def _not_a_name(word: str) -> bool:
    return word.strip(".,").lower() in _NOT_A_NAME


def find_known_names(text: str, names: Iterable[str]) -> Iterator[Span]:
    """Occurrences of known people's names (the requester): full name, initial and surname,
    surname with its particles (case-insensitive), and a capitalised first name."""
    for name in names:
        pattern = known_name_pattern(name)
        if pattern is not None:
            for match in pattern.finditer(text):
                yield Span(match.start(), match.end(), Kind.PERSON)


def known_name_pattern(name: str) -> re.Pattern[str] | None:
    """A pattern for the forms of one person's name, longest first; None for no usable name."""
    words = [w for w in re.split(r"\s+", name.strip()) if len(w.strip(".")) > 1 or "." in w]
    if not words:
        return None
    first, rest = words[0], words[1:]
    forms = [r"\s+".join(re.escape(w) for w in words)]
    if rest:
        surname = r"\s+".join(re.escape(w) for w in rest)
        forms += [rf"{re.escape(first[0])}\.\s*{surname}", surname]
    alternatives = "|".join(f"(?i:{f})" for f in forms)
    if rest and len(first) > 2:
        alternatives += "|" + re.escape(first[0].upper() + first[1:])
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
