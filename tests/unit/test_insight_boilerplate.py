"""Boilerplate removal before clustering: stock sentences across unrelated tickets go, a
problem many people report in the same words stays, and only changed texts are re-encoded."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from triage.insight.boilerplate import boilerplate, declutter, sentence_key, sentences, strip

PROBLEMS = ["VPN valt steeds weg.", "Printer PRN-2 staat offline.", "Outlook start niet op."]


def _tickets() -> tuple[list[str], NDArray[np.float32]]:
    """30 tickets, 10 per problem, each opening with the same greeting; one vector direction
    per problem (the greeting says nothing about which)."""
    texts, rows = [], []
    for i in range(30):
        problem = i % 3
        texts.append(f"Hoi ICT,\n{PROBLEMS[problem]}\nGroet, Sanne")
        rows.append(np.eye(3)[problem])
    vectors = np.array(rows, dtype=np.float32)
    return texts, vectors


def test_sentences_split_lines_and_sentences_and_drop_chat_stamps() -> None:
    text = "[09:41] Priya: hoi\n[09:42] Priya: Teams crasht. Al twee keer!"
    assert sentences(text) == ["hoi", "Teams crasht.", "Al twee keer!"]
    floor = sentence_key("Ik zit op de 2e verdieping.")
    assert floor == sentence_key("ik zit op de 3e  verdieping") == "ik zit op de #e verdieping"


def test_boilerplate_is_frequent_and_spread_over_unrelated_tickets() -> None:
    texts, vectors = _tickets()
    keys = boilerplate(texts, vectors, min_share=0.2, coherence=0.7)
    assert keys == {"hoi ict", "groet, sanne"}  # in every ticket, about every problem
    # each problem sentence is in a third of the tickets too, but all about one thing: kept
    assert sentence_key(PROBLEMS[0]) not in keys


def test_strip_keeps_a_ticket_of_greetings_only_as_it_was() -> None:
    keys = {"hoi ict", "groet, sanne"}
    assert strip("Hoi ICT,\nVPN valt weg.\nGroet, Sanne", keys) == "VPN valt weg."
    assert strip("Hoi ICT,\nGroet, Sanne", keys) == "Hoi ICT,\nGroet, Sanne"
    assert strip("VPN valt weg.\nAl een uur.", keys) == "VPN valt weg.\nAl een uur."


def test_declutter_encodes_only_the_texts_that_changed() -> None:
    texts, vectors = _tickets()
    texts.append("Scherm flikkert.")  # nothing to remove
    vectors = np.vstack([vectors, np.array([[0.6, 0.8, 0.0]], dtype=np.float32)])
    encoded: list[str] = []

    def encode(chunk: list[str]) -> NDArray[np.float32]:
        encoded.extend(chunk)
        return np.full((len(chunk), 3), 0.5, dtype=np.float32)

    cleaned, out = declutter(texts, vectors, encode, min_share=0.2, coherence=0.7)
    assert cleaned[0] == "VPN valt steeds weg."
    assert len(encoded) == 30 and "Scherm flikkert." not in encoded
    assert np.allclose(out[:30], 0.5) and np.allclose(out[30], [0.6, 0.8, 0.0])
