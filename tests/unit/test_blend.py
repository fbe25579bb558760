"""VoteBlend: learns per class whom to trust, cross-fitting is honest, shapes are checked."""

from __future__ import annotations

import numpy as np
import pytest

from triage.blend import VoteBlend, choose_prior_shift, cross_fitted_logits
from triage.errors import ConfigError


def two_sources(n: int = 3000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores that know classes 0 and 1 apart, votes that know class 2 from the rest."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    scores = rng.normal(0, 1, (n, 3))
    scores[np.arange(n), np.minimum(y, 1)] += 2.5  # class 2 looks like class 1 to the scores
    votes = rng.dirichlet(np.ones(3), n) * 0.3
    votes[:, 2] += np.where(y == 2, 0.7, 0.0)
    votes[:, 0] += np.where(y == 2, 0.0, 0.35)
    votes[:, 1] += np.where(y == 2, 0.0, 0.35)
    return scores, votes / votes.sum(axis=1, keepdims=True), y


def test_blend_beats_each_source_alone() -> None:
    scores, votes, y = two_sources()
    fit, held = slice(0, 2000), slice(2000, None)
    blend = VoteBlend().fit(scores[fit], votes[fit], y[fit])
    blended = (blend.logits(scores[held], votes[held]).argmax(axis=1) == y[held]).mean()
    alone = max(
        (scores[held].argmax(axis=1) == y[held]).mean(),
        (votes[held].argmax(axis=1) == y[held]).mean(),
    )
    assert blended > alone + 0.1
    assert blend.vote_weight_[2] > blend.vote_weight_[0]  # trusts the votes where they know


def test_blend_with_few_rows_stays_near_its_prior() -> None:
    scores, votes, y = two_sources(12, seed=1)
    blend = VoteBlend(prior_rows=1e6).fit(scores, votes, y)
    np.testing.assert_allclose(blend.score_weight_, 1.0, atol=1e-3)
    np.testing.assert_allclose(blend.vote_weight_, 0.5, atol=1e-3)
    np.testing.assert_allclose(blend.bias_, 0.0, atol=1e-3)


def test_cross_fitted_logits_are_held_out_and_the_blend_sees_every_row() -> None:
    scores, votes, y = two_sources(400, seed=2)
    blend = VoteBlend()
    held = cross_fitted_logits(blend, scores, votes, y, folds=5, seed=0)
    full = VoteBlend().fit(scores, votes, y)
    np.testing.assert_allclose(blend.bias_, full.bias_)  # fitted on all rows afterwards
    in_sample = full.logits(scores, votes)
    assert held.shape == in_sample.shape
    assert not np.allclose(held, in_sample)  # each row from a blend that did not see it
    again = cross_fitted_logits(VoteBlend(), scores, votes, y, folds=5, seed=0)
    np.testing.assert_array_equal(held, again)


def test_blend_refuses_mismatched_shapes() -> None:
    scores, votes, y = two_sources(50)
    blend = VoteBlend().fit(scores, votes, y)
    with pytest.raises(ConfigError, match="must both be"):
        blend.logits(scores, votes[:, :2])
    with pytest.raises(ConfigError, match="classes but the blend"):
        blend.logits(scores[:, :2], votes[:, :2])


def skewed_logits(n: int = 2000, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Logits of a model that learned the shares: class 0 is 90% of rows and wins near-ties."""
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.9, 0, rng.integers(1, 3, n))
    logits = rng.normal(0, 1, (n, 3))
    logits[np.arange(n), y] += 1.5
    logits[:, 0] += np.log(0.9 / 0.05)  # the frequent class's share, learned into its bias
    return logits, y


def test_choose_prior_shift_favours_rare_classes_when_they_pay() -> None:
    logits, y = skewed_logits()
    strength, shift = choose_prior_shift(logits, y)
    assert strength > 0
    assert shift[0] < shift[1]  # the frequent class loses, the rare ones gain
    before = (logits.argmax(axis=1) == y)[y > 0].mean()
    after = ((logits + shift).argmax(axis=1) == y)[y > 0].mean()
    assert after > before + 0.2


def test_choose_prior_shift_off_is_no_shift() -> None:
    logits, y = skewed_logits(300)
    strength, shift = choose_prior_shift(logits, y, shifts=(0.0,))
    assert strength == 0.0
    np.testing.assert_array_equal(shift, np.zeros(3))


def test_blend_logits_include_its_prior_shift() -> None:
    scores, votes, y = two_sources(200)
    blend = VoteBlend().fit(scores, votes, y)
    plain = blend.logits(scores, votes)
    blend.prior_shift_ = np.array([0.5, 0.0, -0.5])
    np.testing.assert_allclose(blend.logits(scores, votes), plain + blend.prior_shift_)


def test_blend_with_the_text_part_weighs_it_where_it_knows() -> None:
    scores, votes, y = two_sources(3000, seed=5)
    rng = np.random.default_rng(6)
    text = np.log(rng.dirichlet(np.ones(3), len(y)) * 0.2 + 1e-6)
    text[np.arange(len(y)), y] += 3.0  # the text model knows every class
    fit, held = slice(0, 2000), slice(2000, None)
    blend = VoteBlend(parts=("scores", "votes", "text")).fit(
        scores[fit], votes[fit], y[fit], text[fit]
    )
    assert blend.uses_text and blend.text_weight_ is not None
    assert blend.text_weight_.mean() > 0.5
    with_text = blend.logits(scores[held], votes[held], text[held]).argmax(axis=1)
    without = VoteBlend().fit(scores[fit], votes[fit], y[fit]).logits(scores[held], votes[held])
    assert (with_text == y[held]).mean() > (without.argmax(axis=1) == y[held]).mean()
    with pytest.raises(ConfigError, match="text model"):
        blend.logits(scores[held], votes[held])


def test_blend_without_scores_keeps_their_weight_at_zero() -> None:
    scores, votes, y = two_sources(600, seed=7)
    text = np.log(np.full((len(y), 3), 1 / 3))
    blend = VoteBlend(parts=("votes", "text")).fit(scores, votes, y, text)
    np.testing.assert_array_equal(blend.score_weight_, 0.0)
    with pytest.raises(ConfigError, match="subset"):
        VoteBlend(parts=("words",))
