"""Distinctive terms per cluster (class-based TF-IDF, as BERTopic names topics)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from triage.privacy.redactor import redact_text
from triage.privacy.spans import PLACEHOLDER_PATTERN

_STOP = """
    aan achter al alle alleen als altijd ander andere ben bij bijna dan dat de den der deze die
    dit doe doen door dus een eens en er ga gaan gaat geen geweest had heb hebben heeft hem het
    hier hij hoe hun iemand iets ik in is ja je jij kan kon kunnen maar me meer men met mij mijn
    moet na naar niet niets nog nu of om omdat ons onze ook op over reeds te tegen toch toen tot
    u uit uw van veel voor want waren was wat we wel werd wordt zal ze zei zelf zich zij zijn zo
    zonder zou hallo beste groet groeten groetjes graag dank bedankt alvast vriendelijke mvg gr
    goedemorgen goedemiddag svp even weer sinds vandaag gisteren morgen
    a about after all also am an and any are as at be been but by can could did do does for
    from get got had has have he her hi his how i if in into is it its just me my no not now of
    on or our please so some than thanks thank that the their them then there they this to up us
    was we were what when which who will with would you your regards best kind dear hello cheers
    since today yesterday again still
    """
STOP_WORDS: frozenset[str] = frozenset(_STOP.split())
"""Dutch and English function words, greetings and sign-offs: never a cluster's name."""
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_\-]{2,}\b"
"""Words of three or more letters: no numbers, phone numbers or ticket ids."""


def distinctive_terms(
    docs: Sequence[str], labels: Sequence[int], top: int = 5
) -> dict[int, list[str]]:
    """The `top` terms per label (excluding -1) by c-TF-IDF: a term's frequency in the class,
    normalised by the class's length, times log(1 + mean class length / the term's frequency over
    all classes). The unclustered rows (-1) take part as a class, so common words rank low."""
    from sklearn.feature_extraction.text import CountVectorizer

    classes = sorted(set(labels))
    if not [c for c in classes if c != -1]:
        return {}
    label_array = np.asarray(labels)
    docs = [
        PLACEHOLDER_PATTERN.sub(" ", redact_text(d)) for d in docs
    ]  # no e-mail domains as names
    joined = [
        " ".join(d for d, lab in zip(docs, label_array, strict=True) if lab == c) for c in classes
    ]
    vectorizer = CountVectorizer(
        token_pattern=TOKEN_PATTERN, lowercase=True, stop_words=sorted(STOP_WORDS), min_df=1
    )
    try:
        counts = vectorizer.fit_transform(joined).toarray().astype(float)
    except ValueError:  # no term survives (e.g. only stop words)
        return {c: [] for c in classes if c != -1}
    words = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    idf = np.log(1.0 + counts.sum(axis=1).mean() / np.maximum(counts.sum(axis=0), 1.0))
    scores = tf * idf
    return {
        c: [str(words[i]) for i in np.argsort(-scores[row])[:top] if scores[row, i] > 0]
        for row, c in enumerate(classes)
        if c != -1
    }
