"""Per target, the blend or the plain baseline: chosen on held-out rows, served as chosen."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from tiny_data import make_tickets, tiny_config

from training.candidates import (
    BASELINE,
    EDGE_Z,
    HeldInputs,
    choose_served,
    edge_over,
    with_class_biases,
)
from training.train import TrainResult, build_bundle, train
from triage.class_bias import accuracy_and_macro_f1
from triage.classifiers import TargetClassifier
from triage.features import feature_input
from triage.schema import Channel, SupportLine, Ticket
from triage.triager import Triager


def held_inputs(scores_know: bool, n: int = 600, seed: int = 0) -> HeldInputs:
    """3 classes; either the linear scores know them, or the text model knows every one (the
    other is noise), so that no blend can beat the text model alone."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    noise = rng.normal(0, 1, (n, 3))
    signal = noise.copy()
    signal[np.arange(n), y] += 3.0
    votes = rng.dirichlet(np.ones(3), n)
    text = np.log(np.exp(noise) / np.exp(noise).sum(axis=1, keepdims=True))
    if not scores_know:
        signal[np.arange(n), y] += 10.0
        signal, text = noise, np.log(np.exp(signal) / np.exp(signal).sum(axis=1, keepdims=True))
    return HeldInputs(signal, votes, text, y.astype(np.int64))


def fitted_classifier() -> TargetClassifier:
    import scipy.sparse as sp

    X = sp.csr_matrix(np.eye(3))
    return TargetClassifier("logreg").fit(X, ["0", "1", "2"])


def test_choose_served_keeps_the_baseline_when_the_blend_does_not_beat_it() -> None:
    clf = fitted_classifier()
    held = held_inputs(scores_know=False)
    logits, report = choose_served(clf, held, seed=0, shifts=[0.0])
    assert report["served"] == BASELINE and clf.text_only_ and clf.blend_ is None
    np.testing.assert_array_equal(logits, held.text)  # what is calibrated is what is served
    base = report["validation"][BASELINE]
    assert all(
        s["accuracy"] <= base["accuracy"] or s["macro_f1"] <= base["macro_f1"]
        for name, s in report["validation"].items()
        if name != BASELINE
    )


def test_choose_served_takes_a_blend_that_beats_the_baseline_on_both() -> None:
    clf = fitted_classifier()
    logits, report = choose_served(clf, held_inputs(scores_know=True), seed=0, shifts=[0.0])
    chosen, base = report["served"], report["validation"][BASELINE]
    assert chosen != BASELINE and clf.choice_ == chosen and not clf.text_only_
    assert clf.blend_ is not None and "+".join(clf.blend_.parts) == chosen
    won = report["validation"][chosen]
    assert won["accuracy"] > base["accuracy"] and won["macro_f1"] > base["macro_f1"]
    edge = report["edge_over_baseline"][chosen]
    assert edge["points"] > EDGE_Z * edge["se"] > 0  # clear of the rows' noise
    assert logits.shape == (600, 3)


def _one_hot(predicted: np.ndarray, k: int = 2) -> np.ndarray:
    return np.eye(k)[predicted] * 5.0


def test_edge_over_tells_a_clear_edge_from_noise() -> None:
    """500 rows, 2 classes; the baseline is right on the first 300. A challenger right on those
    and 30 more is ahead by 6 points of accuracy with 30 discordant rows: clear. One that swaps
    37 of the baseline's right rows for 40 others is ahead by 0.6 points with 77 discordant
    rows: noise, within one standard error."""
    y = np.zeros(500, dtype=np.int64)
    y[250:] = 1
    base = y.copy()
    base[300:] = 1 - y[300:]  # wrong on rows 300-499
    clear = base.copy()
    clear[300:330] = y[300:330]
    noisy = base.copy()
    noisy[300:340] = y[300:340]
    noisy[250:287] = 1 - y[250:287]
    edge, se = edge_over(_one_hot(clear), _one_hot(base), y, seed=0)
    assert edge > 0.05 and edge > EDGE_Z * se
    edge, se = edge_over(_one_hot(noisy), _one_hot(base), y, seed=0)
    assert 0 < edge < se  # ahead on these rows, by less than their noise
    assert edge_over(_one_hot(base), _one_hot(base), y, seed=0) == (0.0, 0.0)


def test_choose_served_keeps_the_baseline_when_a_blend_is_ahead_within_noise() -> None:
    """Scores and votes are pure noise and the text model is weak: on these 120 rows two blends
    come out ahead of it on both measures by chance (the rule before the edge test served one),
    but not clear of the rows' noise."""
    rng = np.random.default_rng(8)
    n, k = 120, 4
    y = rng.integers(0, k, n).astype(np.int64)
    text = rng.normal(0, 1, (n, k))
    text[np.arange(n), y] += 0.3
    held = HeldInputs(rng.normal(0, 1, (n, k)), rng.dirichlet(np.ones(k), n), text, y)
    clf = TargetClassifier("logreg").fit(sp.csr_matrix(np.eye(k)), list("0123"))
    _, report = choose_served(clf, held, seed=0, shifts=[0.0])
    assert report["served"] == BASELINE and clf.text_only_
    base = report["validation"][BASELINE]
    lucky = [
        name
        for name, s in report["validation"].items()
        if s["accuracy"] > base["accuracy"] and s["macro_f1"] > base["macro_f1"]
    ]
    assert len(lucky) == 2
    assert report["edge_z"] == EDGE_Z
    for name, edge in report["edge_over_baseline"].items():
        assert edge["points"] <= EDGE_Z * edge["se"], name  # none clear of the noise


LINE_BY_CHANNEL = {
    Channel.PHONE: SupportLine.FIRST,
    Channel.EMAIL: SupportLine.SECOND,
    Channel.PORTAL: SupportLine.THIRD,
}


@pytest.fixture(scope="module")
def baseline_served() -> tuple[TrainResult, list[Ticket]]:
    """Category and priority follow from the words (the text baseline knows them); the support
    line follows the channel, which only the full model's features hold: a blend must win it."""
    tickets = [t.replace(support_line=LINE_BY_CHANNEL[t.channel]) for t in make_tickets(400, 11)]
    return train(tiny_config(), tickets), tickets


def test_train_records_the_choice_and_serves_it_from_the_bundle(
    baseline_served: tuple[TrainResult, list[Ticket]], tmp_path: object
) -> None:
    from pathlib import Path

    result, tickets = baseline_served
    served = result.served_summary()
    assert set(served) == set(result.model.targets)
    for target, choice in served.items():
        clf = result.model.classifiers[target]
        assert choice["served"] == clf.choice_
        assert BASELINE in choice["validation"]  # the baseline competed on validation rows
        assert set(choice["edge_over_baseline"]) == set(choice["validation"]) - {BASELINE}
    bundle = build_bundle(result, Path(str(tmp_path)) / "bundle")
    loaded = Triager.load(bundle, embedder=None)
    assert loaded.manifest["served"] == served
    blended = []
    for target, clf in result.model.classifiers.items():
        report = result.metrics["targets"][target]
        if not clf.text_only_:  # the baseline sees the same rows as a refitted linear model
            assert report["baseline_fit_rows"] == report["fit_rows"]
            blended.append(target)
    assert "support_line" in blended  # the check above ran: the channel's target is a blend
    assert served["support_line"]["served"] != BASELINE
    users = [t for t, c in loaded.model.classifiers.items() if c.uses_text]
    assert (loaded.model.text_model is not None) == bool(users)
    data = feature_input(tickets[:20], loaded.embed([t.text for t in tickets[:20]]))
    for target, proba in loaded.model.predict_proba(data).items():
        np.testing.assert_allclose(proba, result.model.predict_proba(data)[target], atol=1e-9)


def test_with_class_biases_keeps_biases_only_where_they_help_held_out_rows() -> None:
    rng = np.random.default_rng(5)
    n = 4000
    y = rng.choice(3, n, p=[0.5, 0.42, 0.08]).astype(np.int64)
    logits = rng.normal(0, 1, (n, 3))
    logits[np.arange(n), y] += 2.0
    balanced = logits.copy()
    logits[:, 2] -= 1.5  # the rare class under-predicted, as a log-loss fit leaves it
    biased, bias = with_class_biases(logits, y, seed=0)
    assert bias[2] > bias[:2].max() and not np.array_equal(biased, logits)
    for rows_logits, rows_y in ((logits, y), (balanced[:200], y[:200])):
        out, fitted = with_class_biases(rows_logits, rows_y, seed=0)
        if fitted.any():  # kept only when the cross-fitted (honest) logits score higher
            assert sum(accuracy_and_macro_f1(out, rows_y)) > sum(
                accuracy_and_macro_f1(rows_logits, rows_y)
            )
        else:
            np.testing.assert_array_equal(out, rows_logits)


def test_choose_served_adds_class_biases_only_when_asked() -> None:
    rng = np.random.default_rng(6)
    n = 3000
    y = rng.choice(3, n, p=[0.5, 0.35, 0.15]).astype(np.int64)  # the blend's log-loss fit
    scores = rng.normal(0, 1, (n, 3))  # under-predicts the 15% class where classes overlap
    scores[np.arange(n), y] += 1.5
    votes = rng.dirichlet(np.ones(3), n)
    held = HeldInputs(scores, votes, None, y)
    plain_clf, biased_clf = fitted_classifier(), fitted_classifier()
    plain, plain_report = choose_served(plain_clf, held, seed=0, shifts=[0.0])
    biased, report = choose_served(biased_clf, held, seed=0, shifts=[0.0], class_biases=True)
    assert "class_bias" not in plain_report and plain_clf.blend_ is not None
    assert plain_clf.blend_.class_bias_ is None
    assert biased_clf.blend_ is not None and biased_clf.blend_.class_bias_ is not None
    bias = biased_clf.blend_.class_bias_
    assert report["class_bias"] == [round(float(b), 2) for b in bias]
    np.testing.assert_allclose(biased_clf.blend_.prior_shift_, plain_clf.blend_.prior_shift_ + bias)
    rare = y == 2  # the honest (cross-fitted) logits recall the rare class more often
    assert (biased[rare].argmax(axis=1) == 2).mean() > (plain[rare].argmax(axis=1) == 2).mean()
