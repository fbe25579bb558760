"""The neighbour-vote blend in training: one neighbour pool, honest held-out votes, one search."""

from __future__ import annotations

import numpy as np
import pytest
from tiny_data import tiny_config

from training.datasets import labels, split_tickets
from training.train import TrainResult, train
from triage.blend import VoteBlend, choose_prior_shift, cross_fitted_logits
from triage.calibration import TemperatureScaler
from triage.embeddings import HashingEmbedder
from triage.features import feature_input
from triage.neighbours import EmbeddingNeighbours
from triage.schema import Ticket

EMBEDDER = HashingEmbedder(32)
TARGETS = ("category", "priority", "support_line")


@pytest.fixture(scope="module")
def blended(tickets: list[Ticket]) -> TrainResult:
    return train(tiny_config(baselines=False), tickets)  # neighbours on by default


def test_blend_model_keeps_one_pool_of_the_final_rows(
    blended: TrainResult, tickets: list[Ticket]
) -> None:
    config = blended.config
    split = split_tickets(tickets, config.split, config.seed, "category")
    final = split.train + split.val
    pool = blended.model.neighbours
    assert isinstance(pool, EmbeddingNeighbours) and pool.k == config.model.neighbours
    np.testing.assert_allclose(pool.vectors_, EMBEDDER.encode([t.text for t in final]))
    for target in TARGETS:
        assert pool.labels_[target] == labels(final, target)
        assert blended.model.classifiers[target].blend_ is not None
        assert blended.metrics["targets"][target]["neighbour_blend"] is True


def test_blend_temperature_comes_from_cross_fitted_held_out_logits(
    blended: TrainResult, tickets: list[Ticket]
) -> None:
    config = blended.config
    split = split_tickets(tickets, config.split, config.seed, "category")
    featurizer, pool = blended.model.featurizer, blended.model.neighbours
    assert pool is not None
    X_train = featurizer.transform(
        feature_input(split.train, EMBEDDER.encode([t.text for t in split.train]))
    )
    val_vectors = EMBEDDER.encode([t.text for t in split.val])
    X_val = featurizer.transform(feature_input(split.val, val_vectors))
    # validation rows sit after the train rows in the pool and never find themselves
    sims, found = pool.search(val_vectors, self_rows=len(split.train) + np.arange(len(split.val)))
    for target in TARGETS:
        clf = blended.model.classifiers[target]
        classes = clf.classes_.tolist()
        rows = [i for i, v in enumerate(labels(split.train, target)) if v in classes]
        chooser = clf.clone().fit(X_train[rows], [labels(split.train, target)[i] for i in rows])
        val_rows = [i for i, v in enumerate(labels(split.val, target)) if v is not None]
        y_val = clf.label_indices([labels(split.val, target)[i] for i in val_rows])
        assert (y_val >= 0).all()
        votes = pool.vote_shares(target, sims[val_rows], found[val_rows], classes)
        scores = chooser.decision_function(X_val[val_rows])
        held = cross_fitted_logits(VoteBlend(), scores, votes, y_val, seed=config.seed)
        strength, shift = choose_prior_shift(held, y_val, tuple(config.model.prior_shifts))
        assert clf.blend_ is not None and clf.blend_.prior_strength_ == strength
        expected = TemperatureScaler().fit(held + shift, y_val).temperature_
        assert clf.scaler_.temperature_ == pytest.approx(expected)


def test_blend_predict_proba_searches_the_pool_once_for_all_targets(
    blended: TrainResult, tickets: list[Ticket], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = EmbeddingNeighbours.search

    def spy(self, vectors, k=None, self_rows=None):  # type: ignore[no-untyped-def]
        calls.append(len(vectors))
        return original(self, vectors, k, self_rows)

    monkeypatch.setattr(EmbeddingNeighbours, "search", spy)
    data = feature_input(tickets[:7], EMBEDDER.encode([t.text for t in tickets[:7]]))
    proba = blended.model.predict_proba(data)
    assert calls == [7]
    for target in TARGETS:
        np.testing.assert_allclose(proba[target].sum(axis=1), 1.0, atol=1e-9)


def test_blend_off_trains_the_linear_model_alone(tickets: list[Ticket]) -> None:
    no_guard = {"min_support": 5, "familiarity_quantile": None}  # the guard needs embeddings
    result = train(tiny_config(baselines=False, model={"neighbours": 0}, policy=no_guard), tickets)
    assert result.model.neighbours is None
    assert all(c.blend_ is None for c in result.model.classifiers.values())
    assert result.embedder == {}  # no embeddings needed: features.embeddings is off too


def test_blend_model_from_before_neighbours_still_predicts(
    blended: TrainResult, tickets: list[Ticket]
) -> None:
    no_guard = {"min_support": 5, "familiarity_quantile": None}
    config = tiny_config(baselines=False, model={"neighbours": 0}, policy=no_guard)
    linear = train(config, tickets).model
    del linear.__dict__["neighbours"]  # as unpickled from a bundle written before the attribute
    for clf in linear.classifiers.values():
        clf.__dict__.pop("blend_", None)
    data = feature_input(tickets[:3])
    before = train(config, tickets).model.predict_proba(data)  # the same model, attributes kept
    assert linear.neighbours is None and not linear.needs_embeddings
    after = linear.predict_proba(data)
    assert set(after) == set(TARGETS)
    for target in TARGETS:
        np.testing.assert_allclose(after[target], before[target])
