"""The channel and language columns of served tickets that lack them: the same columns the
training tickets had (a detected language; the training shares for a value never seen), not an
all-zero block the model never saw in training."""

from __future__ import annotations

import numpy as np
import pytest

from triage.features import UNKNOWN, FeatureInput, TicketFeaturizer

DUTCH = "Mijn laptop start niet meer op, ook niet als hij aan de oplader zit. Het lampje knippert."
ENGLISH = "My laptop does not start any more, not even on the charger. The light keeps blinking."


def _fitted(channels: list[str], languages: list[str]) -> TicketFeaturizer:
    texts = [DUTCH if lang == "nl" else ENGLISH for lang in languages]
    data = FeatureInput(texts, channels, languages)
    return TicketFeaturizer(embeddings=False, min_df=1).fit(data)


def _meta(featurizer: TicketFeaturizer, channel: str, language: str, text: str) -> np.ndarray:
    """The channel + language columns of one ticket, through both transform paths (equal)."""
    data = FeatureInput([text], [channel], [language])
    width = len(featurizer.channels_) + len(featurizer.languages_)
    rows = featurizer.transform(data).toarray()[0][-width:]
    blocks = featurizer._transform_blocks(data).toarray()[0][-width:]
    assert np.array_equal(rows, blocks)
    return rows


def test_a_missing_language_is_detected_where_training_tickets_had_languages() -> None:
    featurizer = _fitted(["email"] * 4, ["nl", "nl", "nl", "en"])
    missing = _meta(featurizer, "email", UNKNOWN, DUTCH)
    given = _meta(featurizer, "email", "nl", DUTCH)
    assert np.array_equal(missing, given)
    assert np.array_equal(_meta(featurizer, "email", UNKNOWN, ENGLISH), [1.0, 1.0, 0.0])


def test_a_given_language_is_never_second_guessed() -> None:
    featurizer = _fitted(["email"] * 4, ["nl", "nl", "nl", "en"])
    # English text labelled Dutch by the client: the client's word stands
    assert np.array_equal(_meta(featurizer, "email", "nl", ENGLISH), [1.0, 0.0, 1.0])


def test_an_undetectable_language_gets_the_training_shares() -> None:
    featurizer = _fitted(["email"] * 4, ["nl", "nl", "nl", "en"])
    assert featurizer.language_shares_ == [0.25, 0.75]  # en, nl
    assert np.allclose(_meta(featurizer, "email", UNKNOWN, "ok?"), [1.0, 0.25, 0.75])


def test_a_missing_or_new_channel_gets_the_training_shares() -> None:
    featurizer = _fitted(["email", "email", "email", "phone"], ["en"] * 4)
    assert featurizer.channels_ == ["email", "phone"]
    for channel in (UNKNOWN, "fax"):
        assert np.allclose(_meta(featurizer, channel, "en", ENGLISH), [0.75, 0.25, 1.0])


def test_where_training_had_no_language_a_missing_one_stays_unknown() -> None:
    """An import with language detection off (hadoop_bugs): the model learned "unknown" only;
    detecting at serve time would give it a value it never saw."""
    featurizer = _fitted(["email"] * 3, [UNKNOWN] * 3)
    assert featurizer.languages_ == [UNKNOWN]
    assert np.array_equal(_meta(featurizer, "email", UNKNOWN, DUTCH), [1.0, 1.0])


@pytest.mark.parametrize("attribute", ["channel_shares_", "language_shares_"])
def test_models_fitted_before_the_shares_keep_the_zero_block(attribute: str) -> None:
    featurizer = _fitted(["email", "phone"], ["en", "nl"])
    delattr(featurizer, attribute)
    columns = _meta(featurizer, "fax", "xx", "ok?")
    block = columns[:2] if attribute == "channel_shares_" else columns[2:]
    assert not block.any()


def test_a_featuriser_without_the_fields_fits_and_keeps_no_shares() -> None:
    data = FeatureInput([ENGLISH, DUTCH], ["email", "phone"], ["en", "nl"])
    featurizer = TicketFeaturizer(embeddings=False, meta=False, min_df=1).fit(data)
    assert featurizer.channel_shares_ == [] and featurizer.language_shares_ == []
    assert featurizer.transform(data).shape == (2, featurizer.n_features_)
