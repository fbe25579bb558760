"""Contract tests of the per-target classifier: probabilities, argmax, determinism, learnability."""

from __future__ import annotations

import pickle
import random
from datetime import UTC, datetime

import numpy as np
import pytest
import scipy.sparse as sp
from tiny_data import make_ticket, make_tickets

from triage.blend import VoteBlend
from triage.calibration import TemperatureScaler, expected_calibration_error, softmax
from triage.classifiers import TargetClassifier
from triage.embeddings import HashingEmbedder
from triage.errors import ConfigError, DataError
from triage.features import FAST_ROWS, FeatureInput, TicketFeaturizer, feature_input


def separable(n: int = 120, k: int = 3, seed: int = 0) -> tuple[sp.csr_matrix, list[str]]:
    """Each class lights up its own block of features, plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = rng.random((n, 5 * k)) * 0.2
    for i, c in enumerate(y):
        X[i, 5 * c : 5 * c + 5] += 1.0
    return sp.csr_matrix(X), [f"class{c}" for c in y]


@pytest.mark.parametrize("kind", ["linear_svc", "logreg", "sgd_log"])
def test_classifier_probabilities_sum_to_one_and_argmax_is_predict(kind: str) -> None:
    X, y = separable()
    clf = TargetClassifier(kind).fit(X[:80], y[:80]).calibrate(X[80:100], y[80:100])
    proba = clf.predict_proba(X[100:])
    assert proba.shape == (20, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert (clf.classes_[proba.argmax(axis=1)] == clf.predict(X[100:])).all()


@pytest.mark.parametrize("kind", ["linear_svc", "logreg", "sgd_log"])
def test_classifier_learns_separable_data(kind: str) -> None:
    X, y = separable()
    clf = TargetClassifier(kind).fit(X, y)
    assert (clf.predict(X) == np.asarray(y)).mean() == 1.0


@pytest.mark.parametrize("kind", ["logreg", "sgd_log"])
def test_classifier_same_seed_same_model(kind: str) -> None:
    X, y = separable(seed=3)
    a = TargetClassifier(kind, random_state=7).fit(X, y).calibrate(X, y)
    b = TargetClassifier(kind, random_state=7).fit(X, y).calibrate(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_classifier_clone_keeps_the_sgd_settings() -> None:
    clf = TargetClassifier("sgd_log", C=3.0, class_weight="balanced", epochs=7)
    clone = clf.clone()
    assert (clone.kind, clone.C, clone.epochs, clone.class_weight) == (
        "sgd_log",
        3.0,
        7,
        "balanced",
    )


def test_classifier_sgd_regularisation_follows_c_and_rows() -> None:
    X, y = separable(120)
    clf = TargetClassifier("sgd_log", C=2.0).fit(X, y)
    assert clf.estimator_.alpha == pytest.approx(1 / (2.0 * 120))


def test_classifier_with_a_blend_needs_votes_and_uses_them() -> None:
    X, y = separable()
    clf = TargetClassifier("sgd_log").fit(X, y)
    votes = np.eye(3)[clf.label_indices(y)]  # every row's neighbours agree with its label
    clf.blend_ = VoteBlend().fit(clf.decision_function(X), votes, clf.label_indices(y))
    with pytest.raises(ConfigError, match="votes"):
        clf.predict_proba(X)
    proba = clf.predict_proba(X, votes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert (clf.predict(X, votes) == np.asarray(y)).all()
    assert clf.clone().blend_ is None


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


@pytest.mark.parametrize(
    "kind,k", [("linear_svc", 3), ("logreg", 4), ("linear_svc", 2), ("sgd_log", 3)]
)
def test_classifier_scores_equal_sklearn_decision_function(kind: str, k: int) -> None:
    X, y = separable(90, k=k)
    clf = TargetClassifier(kind).fit(X, y)
    X32 = sp.csr_matrix(X, dtype=np.float32)
    expected = clf.estimator_.decision_function(X32)
    ours = clf.decision_function(X32)
    if k == 2:
        expected = np.column_stack([-expected / 2, expected / 2])
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-9)


def test_classifier_scores_a_row_without_features_as_its_intercept() -> None:
    X, y = separable(60)
    clf = TargetClassifier("logreg").fit(X, y)
    empty = sp.csr_matrix((1, X.shape[1]), dtype=np.float32)
    np.testing.assert_allclose(clf.decision_function(empty)[0], clf.estimator_.intercept_)


def test_classifier_refuses_features_of_another_width() -> None:
    X, y = separable(60)
    clf = TargetClassifier().fit(X, y)
    with pytest.raises(ConfigError, match="featuriser"):
        clf.decision_function(sp.csr_matrix((1, X.shape[1] + 1)))


def _featurizer_and_input(n: int = 80) -> tuple[TicketFeaturizer, FeatureInput]:
    rng = random.Random(0)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    tickets = [make_ticket(i, rng, start) for i in range(n)]
    tickets[1] = tickets[1].replace(body="the whole department is down, urgent")  # cues fire
    vectors = HashingEmbedder(16).encode([t.text for t in tickets])
    vectors[0, :3] = 0.0  # exact zeros are dropped by both paths
    data = feature_input(tickets, vectors)
    featurizer = TicketFeaturizer(min_df=1, sublinear_tf=False, cues=True)
    return featurizer.fit(data), data


def _unknown_meta(data: FeatureInput) -> FeatureInput:
    return FeatureInput(
        ["zzz-only unseen words", *data.texts[1:]],
        ["fax", *data.channels[1:]],
        ["xx", *data.languages[1:]],
        data.embeddings,
    )


@pytest.mark.parametrize("rows", [1, 5, FAST_ROWS])
def test_featurizer_row_path_builds_the_same_matrix_as_sklearn(rows: int) -> None:
    featurizer, data = _featurizer_and_input(max(80, rows))
    for sample in (data, _unknown_meta(data)):
        part = FeatureInput(
            sample.texts[:rows],
            sample.channels[:rows],
            sample.languages[:rows],
            sample.embeddings[:rows],  # type: ignore[index]
        )
        fast = featurizer.transform(part)
        slow = featurizer._transform_blocks(part)
        assert fast.shape == slow.shape == (rows, featurizer.n_features_)
        assert (fast != slow).nnz == 0 or abs(fast - slow).max() <= 1e-7
        assert fast.nnz == slow.nnz


def test_featurizer_row_path_survives_pickling() -> None:
    featurizer, data = _featurizer_and_input()
    before = featurizer.transform(
        FeatureInput(data.texts[:1], ["email"], ["en"], data.embeddings[:1])
    )  # type: ignore[index]
    clone = pickle.loads(pickle.dumps(featurizer))
    after = clone.transform(FeatureInput(data.texts[:1], ["email"], ["en"], data.embeddings[:1]))  # type: ignore[index]
    assert abs(before - after).max() == 0


def test_featurizer_vocabulary_is_plain_ints_and_survives_skops(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from triage.model_io import SKOPS_FILE, dump_model, load_model_bytes

    data = feature_input(make_tickets(60, seed=1))
    featurizer = TicketFeaturizer(embeddings=False).fit(data)
    for vectorizer in (featurizer.word_, featurizer.char_):
        assert {type(v) for v in vectorizer.vocabulary_.values()} == {int}  # type: ignore[union-attr]
    dump_model(featurizer, tmp_path)
    loaded = load_model_bytes({SKOPS_FILE: (tmp_path / SKOPS_FILE).read_bytes()}, tmp_path)
    assert isinstance(loaded, TicketFeaturizer)
    assert (loaded.transform(data) != featurizer.transform(data)).nnz == 0


def test_featurizer_fit_transform_is_fit_then_transform_bit_for_bit() -> None:
    """`fit_transform` tokenises the training texts once; the matrix must be the very one
    `fit(...).transform(...)` gives (same layout, same float32 values), or training would
    differ from what the served path computes."""
    data = feature_input(make_tickets(300, seed=3))
    made = TicketFeaturizer(embeddings=False, cues=True).fit_transform(data)
    reference = TicketFeaturizer(embeddings=False, cues=True).fit(data)
    expected = reference.transform(data)
    assert made.has_sorted_indices and made.shape == expected.shape
    assert np.array_equal(made.indptr, expected.indptr)
    assert np.array_equal(made.indices, expected.indices)
    assert np.array_equal(made.data, expected.data)
