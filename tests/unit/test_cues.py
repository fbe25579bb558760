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
