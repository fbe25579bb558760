"""Cross-fitting: out-of-fold scores set temperature and thresholds; the final fit sees all rows."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from tiny_data import tiny_config

from training.datasets import labels, split_tickets
from training.train import TrainResult, train
from triage.calibration import TemperatureScaler
from triage.classifiers import TargetClassifier, out_of_fold_scores
from triage.embeddings import HashingEmbedder
from triage.features import feature_input
from triage.policy import choose_thresholds
from triage.schema import Ticket

EMBEDDER = HashingEmbedder(32)
TARGETS = ("category", "priority", "support_line")


def inputs(tickets: list[Ticket]):  # type: ignore[no-untyped-def]
    return feature_input(tickets, EMBEDDER.encode([t.text for t in tickets]))


def fitted_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the number of rows of every `TargetClassifier.fit` call."""
    calls: list[int] = []
    original = TargetClassifier.fit

    def spy(self: TargetClassifier, X: sp.spmatrix, y: list[str]) -> TargetClassifier:
        calls.append(X.shape[0])
        return original(self, X, y)

    monkeypatch.setattr(TargetClassifier, "fit", spy)
    return calls


@pytest.fixture(scope="module")
def crossfit(tickets: list[Ticket]) -> TrainResult:
    # The linear model alone; tests/training/test_blend.py covers the blend with neighbour votes.
    model = {"cross_fit_folds": 3, "neighbours": 0}
    return train(tiny_config(baselines=False, model=model), tickets)


def test_cross_fit_final_model_is_fit_on_all_training_rows(
    tickets: list[Ticket], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tiny_config(baselines=False, targets=["category"], model={"cross_fit_folds": 3})
    old = split_tickets(tickets, config.split, config.seed, "category")
    calls = fitted_rows(monkeypatch)
    result = train(config, tickets)
    every = len(old.train) + len(old.val)
    assert result.split_sizes["train"] == every and result.split_sizes["val"] == 0
    assert result.split_sizes["test"] == len(old.test)
    assert calls[0] == every  # the final model, then one model per fold on the other folds
    assert len(calls) == 4 and sum(calls[1:]) == 2 * every
    assert result.metrics["targets"]["category"]["calibration_rows"] == every
    assert result.metrics["targets"]["category"]["fit_rows"] == every
    assert result.metrics["targets"]["category"]["calibration"] == "cross_fit"


def test_cross_fit_thresholds_and_temperature_come_from_out_of_fold_scores(
    crossfit: TrainResult, tickets: list[Ticket]
) -> None:
    config = crossfit.config
    split = split_tickets(tickets, config.split, config.seed, "category")
    train_part = split.train + split.val
    X = crossfit.model.featurizer.transform(inputs(train_part))
    held_out = {}
    for target in TARGETS:
        clf = crossfit.model.classifiers[target]
        y = [str(v) for v in labels(train_part, target)]
        scores = out_of_fold_scores(clf, X, y, 3)
        expected = TemperatureScaler().fit(scores, clf.label_indices(y)).temperature_
        assert clf.scaler_.temperature_ == pytest.approx(expected)
        held_out[target] = clf.scaler_.transform(scores)
    # Thresholds are chosen on what is served: the out-of-fold probabilities, linked (the links
    # are learned from the same rows as the final model's).
    served = crossfit.model.link(held_out)
    p = config.policy
    for target in TARGETS:
        clf = crossfit.model.classifiers[target]
        y_index = clf.label_indices([str(v) for v in labels(train_part, target)])
        thresholds = choose_thresholds(
            served[target],
            y_index,
            clf.classes_.tolist(),
            p.target_precision,
            p.min_support,
            p.confidence_level,
            p.min_confidence,
        )
        assert crossfit.model.policies[target].thresholds == thresholds


def test_cross_fit_off_and_refit_off_calibrates_on_the_validation_split(
    tickets: list[Ticket],
) -> None:
    model = {"cross_fit_folds": 0, "refit": False, "neighbours": 0}  # the linear model alone
    config = tiny_config(baselines=False, targets=["category"], model=model)
    result = train(config, tickets)
    split = split_tickets(tickets, config.split, config.seed, "category")
    assert result.split_sizes["train"] == len(split.train)
    assert result.split_sizes["val"] == len(split.val) > 0
    clf = result.model.classifiers["category"]
    y_val = [str(v) for v in labels(split.val, "category")]
    scores = clf.decision_function(result.model.featurizer.transform(inputs(split.val)))
    expected = TemperatureScaler().fit(scores, clf.label_indices(y_val)).temperature_
    assert clf.scaler_.temperature_ == pytest.approx(expected)
    assert result.metrics["targets"]["category"]["calibration_rows"] == len(split.val)
    assert result.metrics["targets"]["category"]["fit_rows"] == len(split.train)


def test_cross_fit_is_off_by_default() -> None:
    assert tiny_config().model.cross_fit_folds == 0


def test_out_of_fold_scores_come_from_models_that_did_not_see_the_row() -> None:
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.random((90, 400)))
    y = [f"c{i}" for i in rng.integers(0, 3, 90)]  # random labels: memorised, not learnable
    clf = TargetClassifier("linear_svc", C=100.0).fit(X, y)
    in_sample = clf.decision_function(X).argmax(axis=1) == clf.label_indices(y)
    held_out = out_of_fold_scores(clf, X, y, 3).argmax(axis=1) == clf.label_indices(y)
    assert in_sample.mean() == 1.0
    assert held_out.mean() < 0.6


def test_out_of_fold_scores_with_a_class_rarer_than_the_folds() -> None:
    rng = np.random.default_rng(1)
    X = sp.csr_matrix(rng.random((40, 20)))
    y = ["a"] * 19 + ["b"] * 19 + ["rare"] * 2
    clf = TargetClassifier("logreg").fit(X, y)
    scores = out_of_fold_scores(clf, X, y, 5)  # folds are capped at the rarest class's 2 rows
    assert scores.shape == (40, 3) and np.isfinite(scores).all()
    again = out_of_fold_scores(clf, X, y, 5)
    np.testing.assert_array_equal(scores, again)  # folds follow random_state
