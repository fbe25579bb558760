"""Impact and urgency cues: the phrasings of each family in Dutch, English and German."""

from __future__ import annotations

import numpy as np
import pytest

from triage.cues import cue_matrix, cue_names


def fired(text: str) -> set[str]:
    return {name for name, v in zip(cue_names(), cue_matrix([text])[0], strict=True) if v}


@pytest.mark.parametrize(
    "text,cue",
    [
        ("De hele afdeling kan niet werken", "impact_wide"),
        ("The whole department can't log in", "impact_wide"),
        ("Die ganze Abteilung kann nicht arbeiten", "impact_wide"),
        ("iedereen op de tweede verdieping", "impact_wide"),
        ("Only me, I think.", "impact_self"),
        ("Alleen bij mij volgens mij.", "impact_self"),
        ("Spoed aub!!", "urgency_high"),
        ("customer is waiting at the desk", "urgency_high"),
        ("Bitte sofort", "urgency_high"),
        ("Geen haast hoor.", "urgency_low"),
        ("not urgent", "urgency_low"),
        ("all my files are now .locked and there is a ransom note", "security_incident"),
        ("Ik heb op een link geklikt en mijn wachtwoord ingevuld", "security_incident"),
        ("I clicked a phishing link and entered my password", "security_incident"),
        ("bestanden zijn versleuteld", "security_incident"),
        ("the file server is down", "outage"),
        ("typo in the javadoc", "minor"),
        ("ich habe alle Dateien verloren", "data_loss"),
    ],
)
def test_cues_find_each_family_in_three_languages(text: str, cue: str) -> None:
    assert cue in fired(text)


def test_cues_negated_urgency_is_low_not_high() -> None:
    for text in ("niet dringend", "not urgent", "nicht dringend"):
        assert fired(text) == {"urgency_low"}, text


def test_cues_plain_ticket_fires_nothing_and_shape_is_fixed() -> None:
    matrix = cue_matrix(["Outlook start niet op mijn laptop", ""])
    assert matrix.shape == (2, len(cue_names())) and matrix.dtype == np.float32
    assert not matrix.any()


def _naive(texts: list[str]) -> np.ndarray:
    """The cues as written: every phrasing on its own, case-insensitive, on the raw text."""
    import re

    from triage.cues import CUES

    out = np.zeros((len(texts), len(CUES)), dtype=np.float32)
    for col, phrasings in enumerate(CUES.values()):
        patterns = [re.compile(p, re.IGNORECASE) for p in phrasings]
        for row, text in enumerate(texts):
            out[row, col] = float(any(p.search(text) for p in patterns))
    return out


def test_cue_matrix_equals_every_phrasing_searched_on_its_own() -> None:
    """The compiled families (a shared word-boundary test, lower-cased text) fire exactly where
    the phrasings do one by one, in any letter case, at the start, middle and end of a text."""
    import random

    from triage.cues import CUES, top_level_alternatives

    rng = random.Random(7)
    samples = [
        "whole department",
        "not urgent",
        "NIET DRINGEND",
        "urgent",
        "Dringend!",
        "asap",
        "files.locked",
        "report .locked",
        "CVE-2024-1",
        "ik heb mijn wachtwoord ingevuld",
        "production is down",
        "Sofort bitte",
        "only me",
        "typo",
        "ransomware",
        "niemand kann",
    ]
    texts = []
    for _ in range(400):
        words = [*rng.sample(samples, 2), "het werkt niet", "printer", "x"]
        rng.shuffle(words)
        text = " ".join(words)
        texts.append("".join(c.upper() if rng.random() < 0.3 else c for c in text))
    texts += ["", "urgentness", "nicht urgent", "kein dringend", "xurgent"]
    assert (cue_matrix(texts) == _naive(texts)).all()
    assert sum(len(top_level_alternatives(p)) for ps in CUES.values() for p in ps) > sum(
        len(ps) for ps in CUES.values()
    )


@pytest.mark.parametrize(
    "pattern,parts",
    [
        (r"a|b", ["a", "b"]),
        (r"\b(a|b)c", [r"\b(a|b)c"]),
        (r"[|]x|y", ["[|]x", "y"]),
        (r"\|a|b", [r"\|a", "b"]),
        (r"(?<!not )x", [r"(?<!not )x"]),
    ],
)
def test_top_level_alternatives(pattern: str, parts: list[str]) -> None:
    from triage.cues import top_level_alternatives

    assert top_level_alternatives(pattern) == parts
