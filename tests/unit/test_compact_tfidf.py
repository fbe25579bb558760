"""The TF-IDF vectoriser whose saved state holds its vocabulary as one string."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from triage.compact_tfidf import PACKED, CompactTfidfVectorizer, packed_terms
from triage.model_io import dump_skops, load_skops_bytes

TEXTS = [
    "Outlook start niet meer, foutmelding over mijn profiel",
    "VPN verbinding valt steeds weg sinds de update",
    "printer on the second floor prints blank pages",
    "Passwort abgelaufen, ich kann mich nicht anmelden",
    "het werkt weer niet",
    "laptop screen flickers when docked",
]


def _fitted(**params: object) -> CompactTfidfVectorizer:
    return CompactTfidfVectorizer(**params).fit(TEXTS)  # type: ignore[arg-type]


def _schema(path: Path) -> dict[str, object]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("schema.json"))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "params", [{"ngram_range": (1, 2)}, {"analyzer": "char_wb", "ngram_range": (3, 5)}]
)
def test_skops_round_trip_is_the_same_vectoriser_with_one_string(params, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vectorizer = _fitted(**params)
    dump_skops(vectorizer, tmp_path / "v.skops")
    loaded = load_skops_bytes((tmp_path / "v.skops").read_bytes(), tmp_path, "v.skops")
    assert isinstance(loaded, CompactTfidfVectorizer)
    assert loaded.vocabulary_ == vectorizer.vocabulary_
    assert {type(c) for c in loaded.vocabulary_.values()} == {int}
    unseen = ["mijn VPN valt weg", "blank pages again", ""]
    np.testing.assert_array_equal(
        loaded.transform(unseen).toarray(), vectorizer.transform(unseen).toarray()
    )
    state = _schema(tmp_path / "v.skops")["content"]["content"]  # type: ignore[index]
    assert "vocabulary_" not in state and PACKED in state


def test_saving_leaves_the_live_vectoriser_alone() -> None:
    vectorizer = _fitted()
    vocabulary = dict(vectorizer.vocabulary_)
    state = vectorizer.__getstate__()
    assert PACKED in state and "vocabulary_" not in state
    assert vectorizer.vocabulary_ == vocabulary  # the live object still has its dict


def test_pickle_round_trip() -> None:
    vectorizer = _fitted(analyzer="char_wb", ngram_range=(3, 4))
    loaded = pickle.loads(pickle.dumps(vectorizer))
    assert loaded.vocabulary_ == vectorizer.vocabulary_
    np.testing.assert_array_equal(
        loaded.transform(TEXTS).toarray(), vectorizer.transform(TEXTS).toarray()
    )


def test_a_term_holding_the_separator_keeps_the_dict() -> None:
    # the plain `char` analyser keeps newlines inside its n-grams
    vectorizer = CompactTfidfVectorizer(analyzer="char", ngram_range=(2, 2)).fit(["a\nb", "ab"])
    assert any("\n" in term for term in vectorizer.vocabulary_)
    state = vectorizer.__getstate__()
    assert PACKED not in state and state["vocabulary_"] == vectorizer.vocabulary_
    loaded = pickle.loads(pickle.dumps(vectorizer))
    assert loaded.vocabulary_ == vectorizer.vocabulary_


def test_an_unfitted_vectoriser_round_trips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    dump_skops(CompactTfidfVectorizer(min_df=2), tmp_path / "v.skops")
    loaded = load_skops_bytes((tmp_path / "v.skops").read_bytes(), tmp_path, "v.skops")
    assert isinstance(loaded, CompactTfidfVectorizer) and loaded.min_df == 2
    assert not hasattr(loaded, "vocabulary_")


@pytest.mark.parametrize(
    ("vocabulary", "packed"),
    [
        ({"b": 1, "a": 0}, "a\nb"),
        ({"a": np.int64(0)}, "a"),
        ({}, None),
        (None, None),
        ({"a": 0, "b": 2}, None),  # a gap
        ({"a": 0, "b": 0}, None),  # two terms on one column
        ({"a\nb": 0}, None),
    ],
)
def test_packed_terms(vocabulary, packed) -> None:  # type: ignore[no-untyped-def]
    assert packed_terms(vocabulary) == packed


def test_a_plain_sklearn_vectoriser_still_loads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Bundles written before this class hold scikit-learn's own vectoriser."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    plain = TfidfVectorizer().fit(TEXTS)
    dump_skops(plain, tmp_path / "v.skops")
    loaded = load_skops_bytes((tmp_path / "v.skops").read_bytes(), tmp_path)
    assert type(loaded) is TfidfVectorizer and loaded.vocabulary_ == plain.vocabulary_
