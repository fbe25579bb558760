"""Passwords that users paste into tickets ("mijn wachtwoord is ...", "password: ...")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from triage.privacy.spans import Kind, Span

_KEYWORD = (
    r"wachtwoord|passwor[dt]|passwd|kennwort|pwd|pw|ww|pincode|pin|"
    r"wifi-?(?:key|sleutel|wachtwoord)|wlan-?(?:schlüssel|passwort)"
)
_VERB = (
    r"is(?: nu| now)?|was|wordt|werd|ist(?: jetzt)?|lautet|lautete|war|nu|now|jetzt|"
    r"staat op|becomes|wird"
)
# All on one line (a form's "Wachtwoord vergeten\nCategorie: Inloggen" is no password): keyword,
# up to three words ("van mijn account"), then `:`, `=` or a verb, then the value (one
# whitespace-free token); or the keyword directly followed by a value that looks like a password.
_EXPLICIT = re.compile(
    rf"\b(?:{_KEYWORD})\b(?:[ \t]+[\w'-]+){{0,3}}?"
    rf"(?P<sep>[ \t]*[:=][ \t]*|[ \t]+(?:{_VERB})[ \t]*:?[ \t]+)"
    r"(?P<value>[^\s<>\[\]]{3,64})",
    re.IGNORECASE,
)
_BARE = re.compile(
    rf"\b(?:{_KEYWORD})[ \t]+(?P<sep>)(?P<value>[^\s<>\[\]]{{3,64}})",
    re.IGNORECASE,
)
_QUOTES = "'\"‘’“”"
# Words that follow "password is ..." in ordinary sentences: the password expired, is wrong, ...
_COMMON = """
    verlopen geblokkeerd gewijzigd veranderd vergeten fout onjuist ongeldig niet nog al wel
    weer opnieuw gereset aangepast kwijt goed correct juist kort lang te een de het die dat
    expired blocked locked changed forgotten wrong incorrect invalid not still already again
    reset correct right too a an the that this being going required needed working
    abgelaufen gesperrt geändert vergessen falsch ungültig nicht noch schon wieder zu ein eine
    der die das korrekt richtig beim bij bei with met mit and en und or of oder to naar
    """
_NOT_A_VALUE = frozenset(_COMMON.split())


def find_passwords(text: str) -> Iterator[Span]:
    """The value after a password keyword: `wachtwoord: Zomer2024!`, `ww is Lente#22`,
    `Passwort lautet Sommer!23`. After a bare keyword or a verb (`is`, `lautet`) the value must
    look like a password (a digit or symbol, or mixed case) so "password is expired" stays;
    after `:` or `=` any word but a common one counts."""
    for pattern in (_EXPLICIT, _BARE):
        for match in pattern.finditer(text):
            raw = match.group("value")
            value = raw.lstrip(_QUOTES).rstrip(".,;)" + _QUOTES)  # quoted UI text: 'is onjuist'
            explicit = ":" in match.group("sep") or "=" in match.group("sep")
            if len(value) < 3 or value.lower().rstrip("!?") in _NOT_A_VALUE:
                continue
            if explicit or _looks_like_password(value):
                start = match.start("value") + len(raw) - len(raw.lstrip(_QUOTES))
                yield Span(start, start + len(value), Kind.SECRET)


def _looks_like_password(value: str) -> bool:
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    mixed = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    return has_digit or has_symbol or mixed
