"""Near-tie margin and familiarity guard: cuts chosen on validation predictions."""

from __future__ import annotations

import numpy as np
import pytest

from triage.features import TicketFeaturizer, feature_input
from triage.guards import FamiliarityGuard, choose_familiarity, known_word_counts, top_two_margin
from triage.schema import Ticket
from triage.stats import wilson_interval


def test_guards_top_two_margin() -> None:
    margin = top_two_margin(np.array([[0.5, 0.3, 0.2], [0.4, 0.4, 0.2]]))
    np.testing.assert_allclose(margin, [0.2, 0.0])


def test_guards_familiarity_from_validation_similarity() -> None:
    rng = np.random.default_rng(0)
    similarity = rng.uniform(0.5, 1.0, 1000).astype(np.float32)
    guard = choose_familiarity(similarity, 0.01)
    assert guard.min_similarity == pytest.approx(np.quantile(similarity, 0.01))
    assert sum(guard.why(float(s), 3) is not None for s in similarity) == 10
    assert guard.why(0.99, 3) is None
    assert "similarity 0.200 <" in (guard.why(0.2, 3) or "")
    assert "none of its words" in (guard.why(0.99, 0) or "")
    assert guard.flags(None, None, 2) == [None, None]


def test_guards_known_word_counts_use_the_word_vocabulary() -> None:
    tickets = [Ticket(ticket_id=str(i), subject="vpn drops", body="vpn again") for i in range(3)]
    featurizer = TicketFeaturizer(char=False, embeddings=False).fit(feature_input(tickets))
    counts = known_word_counts(featurizer, ["VPN is down", "qwerty asdf"])
    assert counts is not None and counts.tolist() == [1, 0]
    no_words = TicketFeaturizer(word=False, embeddings=False).fit(feature_input(tickets))
    assert known_word_counts(no_words, ["vpn"]) is None


def test_stats_wilson_interval_known_values() -> None:
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(30, 30)[0] == pytest.approx(0.8865, abs=1e-4)


def test_guards_familiarity_guard_is_frozen_and_picklable() -> None:
    import pickle

    guard = FamiliarityGuard(0.4, 0.01)
    assert pickle.loads(pickle.dumps(guard)) == guard
