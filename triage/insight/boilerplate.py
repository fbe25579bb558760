"""Boilerplate removed before clustering: sentences that recur across tickets about anything.

Users wrap a problem in greetings, sign-offs, template labels, chat stamps and stock phrases
("colleagues don't have this problem"); embedded with the problem, they pull tickets together
by form instead of by problem. A sentence is boilerplate when it recurs in at least
`min_share` of the clustered tickets and those tickets are about different things: the mean
of their (unit) vectors is short, under `coherence`. A sentence that recurs because many
people report the same problem ("Outlook blijft hangen") has a long mean vector and stays.
Measured on the sample data (`bench/bench_insight.py tune`, BENCHMARKS.md, Insight).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
CHAT_STAMP = re.compile(r"^\[\d{1,2}:\d{2}\]\s*[^:\n]{1,40}:\s*")
"""A chat transcript's `[09:41] Name: ` prefix: a time and a person, never the problem."""
Encode = Callable[[list[str]], NDArray[np.float32]]


def sentences(text: str) -> list[str]:
    """The text's lines split at sentence ends, chat stamps removed, empty parts dropped."""
    parts = (CHAT_STAMP.sub("", p.strip()) for p in SENTENCE_END.split(text))
    return [p for p in parts if p.strip(" .,!?")]


def sentence_key(sentence: str) -> str:
    """What makes two sentences the same: case, digits, spacing and end punctuation ignored."""
    folded = re.sub(r"\d", "#", sentence.lower())
    return re.sub(r"\s+", " ", folded).strip(" .,!?:;")


def boilerplate(
    texts: Sequence[str],
    vectors: NDArray[np.float32],
    min_share: float,
    coherence: float,
    min_tickets: int = 3,
) -> set[str]:
    """Keys of the sentences that recur in at least `min_share` of `texts` (and `min_tickets`)
    whose tickets' mean vector (`vectors` (n, dim), unit length) is shorter than `coherence`."""
    where: defaultdict[str, list[int]] = defaultdict(list)
    for row, text in enumerate(texts):
        for key in dict.fromkeys(sentence_key(s) for s in sentences(text)):
            where[key].append(row)
    limit = max(min_tickets, min_share * len(texts))
    return {
        key
        for key, rows in where.items()
        if len(rows) >= limit and float(np.linalg.norm(vectors[rows].mean(axis=0))) < coherence
    }


def strip(text: str, keys: set[str]) -> str:
    """`text` without its boilerplate sentences, one per line; unchanged when nothing else is
    left (a ticket of greetings only stays as it was: vague, not empty)."""
    parts = sentences(text)
    kept = [s for s in parts if sentence_key(s) not in keys]
    return "\n".join(kept) if kept and len(kept) < len(parts) else text


def declutter(
    texts: Sequence[str],
    vectors: NDArray[np.float32],
    encode: Encode,
    min_share: float,
    coherence: float,
) -> tuple[list[str], NDArray[np.float32]]:
    """Texts without boilerplate and their vectors (n, dim): `vectors` of the full texts are
    used to judge coherence, and only the texts that changed are encoded again."""
    keys = boilerplate(texts, vectors, min_share, coherence)
    cleaned = [strip(t, keys) for t in texts]
    changed = [i for i, (a, b) in enumerate(zip(texts, cleaned, strict=True)) if a != b]
    out = np.array(vectors, dtype=np.float32, copy=True)
    if changed:
        out[changed] = encode([cleaned[i] for i in changed])
    return cleaned, out
