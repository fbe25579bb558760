"""How real users write besides the phrase book: their own words, telegraph style, fragments.

Applied by `compose` to the problem sentences of some tickets, so that the same problem rarely
reads the same way twice and a model cannot reach certainty by memorising sentences: the
validation period then shows how sure the model should be on wording it has not seen.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

# Word or phrase -> how users also say it (lowercase; matched on word boundaries, any case).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "nl": {
        "laptop": ("computer", "pc", "laptopje", "apparaat"),
        "wachtwoord": ("ww", "password", "inlogcode"),
        "inloggen": ("aanmelden", "erin komen", "inlog"),
        "werkt niet": ("doet het niet", "functioneert niet"),
        "foutmelding": ("error", "melding", "foutcode", "pop-up"),
        "beeldscherm": ("scherm", "monitor"),
        "printer": ("kopieerapparaat", "mfp", "printertje"),
        "verbinding": ("connectie", "verbinding"),
        "telefoon": ("mobiel", "gsm", "06"),
        "e-mail": ("mail", "mailtje", "bericht"),
        "mail": ("e-mail", "mailtje"),
        "krijg": ("zie", "heb"),
        "kan niet": ("lukt niet om", "krijg het niet voor elkaar om"),
        "graag": ("aub", "svp", "please"),
        "probleem": ("issue", "gedoe", "storing"),
    },
    "en": {
        "laptop": ("computer", "pc", "machine", "notebook"),
        "password": ("pw", "pwd", "passcode"),
        "log in": ("sign in", "login", "get in"),
        "doesn't work": ("isn't working", "won't work"),
        "error": ("error message", "popup", "warning"),
        "screen": ("monitor", "display"),
        "printer": ("copier", "mfp"),
        "connection": ("connectivity", "link"),
        "phone": ("mobile", "cell"),
        "email": ("mail", "e-mail", "message"),
        "can't": ("cannot", "am unable to", "cant"),
        "please": ("pls", "plz", "kindly"),
        "problem": ("issue", "trouble"),
        "i get": ("i see", "there is"),
    },
}

FILLERS: dict[str, tuple[str, ...]] = {
    "nl": ("de", "het", "een", "ik", "mijn", "is", "er", "dat", "wel", "nog", "al", "weer"),
    "en": ("the", "a", "an", "i", "my", "is", "it", "that", "there", "still", "again", "just"),
}
"""Words telegraph style leaves out."""

CONNECTORS: dict[str, tuple[str, ...]] = {
    "nl": ("En verder:", "Daarnaast", "O ja, en", "Nog iets anders:", "Ook:", "PS:"),
    "en": ("Also,", "And another thing:", "Separately,", "Oh and", "PS:", "While I'm at it,"),
}
"""How a second, unrelated problem is tacked on."""


def reword(text: str, language: str, rnd: random.Random, share: float = 0.5) -> str:
    """`text` with about `share` of the known words and phrases said another way."""
    for phrase, options in SYNONYMS.get(language, {}).items():
        # whole words only, never inside a {slot} placeholder
        pattern = re.compile(rf"(?<![{{\w]){re.escape(phrase)}(?![}}\w])", re.IGNORECASE)
        text = pattern.sub(_swap(options, rnd, share), text)
    return text


def _swap(
    options: tuple[str, ...], rnd: random.Random, share: float
) -> Callable[[re.Match[str]], str]:
    return lambda m: rnd.choice(options) if rnd.random() < share else m[0]


def telegraph(text: str, language: str, rnd: random.Random) -> str:
    """Telegraph style: most filler words dropped, lower case, no final full stop."""
    fillers = set(FILLERS.get(language, ()))
    words = [w for w in text.split(" ") if w.lower() not in fillers or rnd.random() < 0.3]
    return " ".join(words).lower().rstrip(".")


def fragment(sentence: str, rnd: random.Random) -> str:
    """A one-liner from a sentence: its first 3 to 7 words, as someone typing in a hurry."""
    words = sentence.rstrip(".!?").split(" ")
    cut = words[: rnd.randint(3, 7)]
    text = " ".join(cut)
    return text.lower() if rnd.random() < 0.6 else text


def tack_on(language: str, sentence: str, rnd: random.Random) -> str:
    """A second problem's sentence introduced as an afterthought."""
    connector = rnd.choice(CONNECTORS.get(language, CONNECTORS["en"]))
    if connector.endswith(":"):
        return f"{connector} {sentence}"
    return f"{connector} {sentence[:1].lower()}{sentence[1:]}"
