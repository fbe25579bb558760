"""Impact and urgency cues in ticket text (Dutch, English, German), ITIL's two axes of priority.

Each cue is a family of phrasings ("the whole department", "iedereen", "alle Mitarbeiter") that a
word n-gram model would have to learn one by one; as one 0/1 feature per family a model learns it
from every phrasing in the data and applies it to phrasings it never saw (a ticket about
ransomware in data where only phishing was ever reported).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray

_NOT = r"(?<!not )(?<!niet )(?<!nicht )(?<!geen )(?<!kein )"
"""Not right after a negation; written after a phrasing's `\\b` (both zero-width: the same test)."""

CUES: dict[str, tuple[str, ...]] = {
    # many people affected (ITIL impact high)
    "impact_wide": (
        r"\b(whole|entire) (department|team|office|floor|building|company|organi[sz]ation|site)",
        r"\b(everyone|everybody|all (users|colleagues|staff|employees|customers|of us))\b",
        r"\b(nobody|no one|no-one) (can|is able)\b",
        r"\bproduction (is )?(down|stopped|halted)\b",
        r"\b(company|site|organi[sz]ation)[- ]wide\b",
        r"\b(hele|gehele|voltallige) (afdeling|team|gebouw|organisatie|verdieping|gemeente)",
        r"\b(iedereen|alle (collega'?s|gebruikers|medewerkers|afdelingen))\b",
        r"\bniemand (kan|op)\b",
        r"\b(productie )?ligt (helemaal )?(stil|plat)\b",
        r"\b(ganze|gesamte) (abteilung|team|firma|gebäude|standort|unternehmen)",
        r"\balle (mitarbeiter|benutzer|kollegen|nutzer)\b",
        r"\bniemand kann\b",
    ),
    # one person affected (ITIL impact low)
    "impact_self": (
        r"\b(only|just) (me|my|on my)\b",
        r"\bcolleagues (don'?t|do not) have\b",
        r"\balleen (bij )?(mij|ik|mijn)\b",
        r"\bcollega'?s hebben (er )?geen last\b",
        r"\bnur (bei )?(mir|ich|mein)\b",
    ),
    # it cannot wait (ITIL urgency high)
    "urgency_high": (
        r"\b" + _NOT + r"urgent(ly)?\b",
        r"\basap\b|\bas soon as possible\b|\bimmediately\b|\bright now\b|\bemergency\b",
        r"\bcritical\b|\bblock(er|ing)\b",
        r"\b(customer|client) (is )?waiting\b",
        r"\bcan'?t (do|work on) anything\b",
        r"\bspoed\b|\bmeteen\b|\bzo snel mogelijk\b|\bklant wacht\b|\bkritiek\b",
        r"\bkan (nu )?(helemaal )?niets\b",
        r"\b" + _NOT + r"dringend\b",
        r"\bsofort\b|\beilig\b|\bso schnell wie möglich\b|\bkritisch\b",
    ),
    # it can wait (ITIL urgency low)
    "urgency_low": (
        r"\bno (rush|hurry)\b|\bnot urgent\b|\bwhen(ever)? you have time\b|\blow priority\b",
        r"\bafter the weekend\b",
        r"\bgeen haast\b|\bniet (dringend|urgent)\b|\bals (jullie|je) tijd (hebben|hebt)\b",
        r"\bna het weekend\b",
        r"\bkeine? eile\b|\bnicht (dringend|eilig)\b",
    ),
    # security incident: ransomware, phishing with credentials given away, malware, breach
    "security_incident": (
        r"\bransom(ware)?\b|\blosgeld\b|\blösegeld\b|\.locked\b",
        r"\b(files?|bestanden|dateien) .{0,30}(encrypted|versleuteld|verschlüsselt)",
        r"\bphish|\bmalware\b|\b(virus|trojan|trojaan|trojaner)\b",
        r"\bhacked\b|\bgehackt\b|\bcompromised\b|\bgecompromitteerd\b|\bkompromittiert\b",
        r"\b(data ?breach|datalek|data ?leak|datenleck)\b",
        r"\b(entered|typed|gave|filled in|ingevuld|ingevoerd|ingetypt|eingegeben)\b"
        r".{0,40}\b(password|wachtwoord|passwort|credentials|inloggegevens|zugangsdaten)",
        r"\b(password|wachtwoord|passwort|credentials|inloggegevens|zugangsdaten)\b"
        r".{0,40}\b(entered|typed|ingevuld|ingevoerd|ingetypt|eingegeben)\b",
        r"\bcve-\d",
    ),
    # data lost or damaged
    "data_loss": (
        r"\bdata ?loss\b|\bcorrupt",
        r"\b(lost|deleted|missing)\b.{0,20}\b(data|files|documents|emails?)\b",
        r"\b(gegevens|bestanden|documenten|mails?)\b.{0,20}\b(kwijt|verloren|weg|verwijderd)\b",
        r"\bdatenverlust\b|\b(dateien|daten)\b.{0,20}\b(weg|verloren|gelöscht)\b",
    ),
    # a service is down, not one person's setup
    "outage": (
        r"\b(outage|storing|ausfall|störung)\b",
        r"\b(is|are|zijn|ligt|sind|went|gone) (completely |helemaal |komplett )?"
        r"(down|offline|plat)\b",
        r"\b(unreachable|onbereikbaar|niet bereikbaar|nicht erreichbar)\b",
    ),
    # cosmetic or how-to: rarely urgent
    "minor": (
        r"\btypo\b|\bspelling\b|\bcosmetic\b|\bjavadoc\b|\bdocumentation\b",
        r"\bclean ?up\b|\bunused\b|\brefactor|\bcheckstyle\b|\b(find|spot)bugs\b",
        r"\bhow (do|can) i\b|\bhoe (kan|moet) ik\b|\bwie kann ich\b",
        r"\btekstfout\b|\bschoonheidsfout\b|\btippfehler\b",
    ),
}


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """One pattern per family, matched against lower-cased text (all phrasings are lower case).

    Python's `re` tries every alternative at every position; the alternatives that start at a
    word boundary share one `\\b` test in front, so inside a word the family costs one check
    instead of one per phrasing (`bench/bench_cues.py`: 2.6x on the shared datasets' texts).
    """
    compiled = []
    for phrasings in CUES.values():
        alternatives = [a for p in phrasings for a in top_level_alternatives(p)]
        bounded = [a[2:] for a in alternatives if a.startswith(r"\b")]
        rest = [a for a in alternatives if not a.startswith(r"\b")]
        parts = ([r"\b(?:" + "|".join(bounded) + ")"] if bounded else []) + rest
        compiled.append(re.compile("|".join(parts)))
    return tuple(compiled)


def top_level_alternatives(pattern: str) -> list[str]:
    """`pattern` split at each `|` outside groups and character classes."""
    out, start, depth, in_class, i = [], 0, 0, False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


def cue_names() -> tuple[str, ...]:
    """Column names of `cue_matrix`, in order."""
    return tuple(CUES)


def cue_matrix(texts: Sequence[str]) -> NDArray[np.float32]:
    """(n, len(CUES)) float32: 1 where a text holds a phrasing of the cue, else 0."""
    patterns = _patterns()
    out = np.zeros((len(texts), len(patterns)), dtype=np.float32)
    for row, text in enumerate(texts):
        lowered = text.lower()
        for col, pattern in enumerate(patterns):
            if pattern.search(lowered):
                out[row, col] = 1.0
    return out
