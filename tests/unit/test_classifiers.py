"""Contract tests of the per-target classifier: probabilities, argmax, determinism, learnability."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from triage.calibration import TemperatureScaler, expected_calibration_error, softmax
from triage.classifiers import TargetClassifier
from triage.errors import ConfigError, DataError


def separable(n: int = 120, k: int = 3, seed: int = 0) -> tuple[sp.csr_matrix, list[str]]:
    """Each class lights up its own block of features, plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = rng.random((n, 5 * k)) * 0.2
    for i, c in enumerate(y):
        X[i, 5 * c : 5 * c + 5] += 1.0
    return sp.csr_matrix(X), [f"class{c}" for c in y]


@pytest.mark.parametrize("kind", ["linear_svc", "logreg"])
def test_classifier_probabilities_sum_to_one_and_argmax_is_predict(kind: str) -> None:
    X, y = separable()
    clf = TargetClassifier(kind).fit(X[:80], y[:80]).calibrate(X[80:100], y[80:100])
    proba = clf.predict_proba(X[100:])
    assert proba.shape == (20, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert (clf.classes_[proba.argmax(axis=1)] == clf.predict(X[100:])).all()


@pytest.mark.parametrize("kind", ["linear_svc", "logreg"])
def test_classifier_learns_separable_data(kind: str) -> None:
    X, y = separable()
    clf = TargetClassifier(kind).fit(X, y)
    assert (clf.predict(X) == np.asarray(y)).mean() == 1.0


def test_classifier_same_seed_same_model() -> None:
    X, y = separable(seed=3)
    a = TargetClassifier("logreg", random_state=7).fit(X, y).calibrate(X, y)
    b = TargetClassifier("logreg", random_state=7).fit(X, y).calibrate(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_classifier_single_class_is_a_clear_error() -> None:
    X, _ = separable(10)
    with pytest.raises(DataError, match="only one class"):
        TargetClassifier().fit(X, ["same"] * 10)


def test_classifier_unknown_kind_is_a_config_error() -> None:
    X, y = separable(20)
    with pytest.raises(ConfigError, match="unknown"):
        TargetClassifier("forest").fit(X, y)


def test_classifier_binary_gives_two_columns() -> None:
    X, y = separable(60, k=2)
    clf = TargetClassifier().fit(X, y).calibrate(X, y)
    assert clf.predict_proba(X).shape == (60, 2)


def test_classifier_calibration_ignores_unseen_labels() -> None:
    X, y = separable()
    clf = TargetClassifier().fit(X, y)
    clf.calibrate(X[:10], ["never-seen"] * 10)
    assert clf.scaler_.temperature_ == 1.0
    assert clf.label_indices(["class0", "nope"]).tolist() == [0, -1]


def test_temperature_scaling_lowers_ece_of_overconfident_scores() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 2000)
    logits = rng.normal(0, 1, (2000, 4))
    logits[np.arange(2000), y] += 1.0
    logits *= 6  # overconfident
    before = expected_calibration_error(softmax(logits), y)
    after = expected_calibration_error(TemperatureScaler().fit(logits, y).transform(logits), y)
    assert after < before / 2
