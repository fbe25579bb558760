"""Refit (default): calibrate on validation with the train-only model, then refit on train + val."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from tiny_data import tiny_config

from training.datasets import label_of, labels, split_tickets
from training.train import TrainResult, train
from triage.calibration import TemperatureScaler
from triage.classifiers import TargetClassifier
from triage.embeddings import HashingEmbedder
from triage.features import feature_input
from triage.links import LinkTable
from triage.policy import choose_thresholds
from triage.schema import Ticket

EMBEDDER = HashingEmbedder(32)
TARGETS = ("category", "priority", "support_line")


def inputs(tickets: list[Ticket]):  # type: ignore[no-untyped-def]
    return feature_input(tickets, EMBEDDER.encode([t.text for t in tickets]))


def labelled(tickets: list[Ticket], target: str, classes: list[str]) -> tuple[list[int], list[str]]:
    values = labels(tickets, target)
    rows = [i for i, v in enumerate(values) if v is not None and str(v) in classes]
    return rows, [str(values[i]) for i in rows]


# The linear model alone (no neighbour votes): with votes, the refit and the train-only model
# differ in their neighbour pool too (tests/training/test_blend.py covers the blend).
LINEAR = {"neighbours": 0}


@pytest.fixture(scope="module")
def refit(tickets: list[Ticket]) -> TrainResult:
    # refit on, cross-fitting off (default); without the baseline, which may be served instead
    # of the linear model (tests/training/test_candidates.py)
    return train(tiny_config(model=LINEAR, baselines=False), tickets)


@pytest.fixture(scope="module")
def no_refit(tickets: list[Ticket]) -> TrainResult:
    return train(tiny_config(model={**LINEAR, "refit": False}, baselines=False), tickets)


def test_refit_is_the_default_path(refit: TrainResult) -> None:
    assert refit.config.model.calibration == "refit"
    for target in TARGETS:
        assert refit.metrics["targets"][target]["calibration"] == "refit"


def test_refit_final_model_is_fit_on_train_and_validation_rows(
    refit: TrainResult, tickets: list[Ticket]
) -> None:
    config = refit.config
    split = split_tickets(tickets, config.split, config.seed, "category")
    # The split itself is unchanged: validation is still held out for calibration.
    sizes = {"train": len(split.train), "val": len(split.val), "test": len(split.test)}
    assert {k: refit.split_sizes[k] for k in sizes} == sizes
    featurizer = refit.model.featurizer  # fitted on the train part only, as before
    X_train, X_val = (
        featurizer.transform(inputs(split.train)),
        featurizer.transform(inputs(split.val)),
    )
    probe = featurizer.transform(inputs(split.test[:30]))
    for target in TARGETS:
        clf = refit.model.classifiers[target]
        classes = clf.classes_.tolist()
        rows, y = labelled(split.train, target, classes)
        val_rows, y_val = labelled(split.val, target, classes)
        assert val_rows, "the tiny data must have labelled validation rows"
        expected = clf.clone().fit(
            sp.vstack([X_train[rows], X_val[val_rows]], format="csr"), y + y_val
        )
        np.testing.assert_allclose(clf.decision_function(probe), expected.decision_function(probe))
        train_only = clf.clone().fit(X_train[rows], y)
        assert not np.allclose(clf.decision_function(probe), train_only.decision_function(probe))
        report = refit.metrics["targets"][target]
        assert report["fit_rows"] == len(y) + len(y_val)
        assert report["calibration_rows"] == len(labels_present(split.val, target))


def labels_present(tickets: list[Ticket], target: str) -> list[str]:
    return [str(v) for v in labels(tickets, target) if v is not None]


def test_refit_temperature_and_thresholds_are_the_validation_ones(
    refit: TrainResult, no_refit: TrainResult, tickets: list[Ticket]
) -> None:
    config = refit.config
    split = split_tickets(tickets, config.split, config.seed, "category")
    featurizer = refit.model.featurizer
    X_train, X_val = (
        featurizer.transform(inputs(split.train)),
        featurizer.transform(inputs(split.val)),
    )
    served = {}
    for target in TARGETS:
        clf = refit.model.classifiers[target]
        # The model that chose them: fitted on the train part, scored on the validation part.
        rows, y = labelled(split.train, target, clf.classes_.tolist())
        chooser = clf.clone().fit(X_train[rows], y)
        y_val = labels_present(split.val, target)
        assert len(y_val) == len(split.val)  # tiny data: every ticket has every label
        scores = chooser.decision_function(X_val)
        temperature = TemperatureScaler().fit(scores, chooser.label_indices(y_val)).temperature_
        assert clf.scaler_.temperature_ == pytest.approx(temperature)
        served[target] = (
            TemperatureScaler().fit(scores, chooser.label_indices(y_val)).transform(scores)
        )
    # ... linked as served, with links learned from the train part (the rows the chooser saw).
    for parent, child in config.policy.links:
        link = LinkTable(parent, child, config.policy.link_min_share).fit(
            [str(v) for v in labels(split.train, parent)],
            [str(v) for v in labels(split.train, child)],
        )
        if link.active:
            classes = {t: refit.model.classifiers[t].classes_.tolist() for t in (parent, child)}
            served[child] = link.marginal(
                served[parent], classes[parent], served[child], classes[child]
            )
    p = config.policy
    for target in TARGETS:
        clf = refit.model.classifiers[target]
        thresholds = choose_thresholds(
            served[target],
            clf.label_indices(labels_present(split.val, target)),
            clf.classes_.tolist(),
            p.target_precision,
            p.min_support,
            p.confidence_level,
            p.min_confidence,
        )
        assert refit.model.policies[target].thresholds == thresholds
        # ... which are exactly those of the run without refit; only the classifier differs.
        old = no_refit.model.classifiers[target]
        assert old.scaler_.temperature_ == clf.scaler_.temperature_
        assert no_refit.model.policies[target].thresholds == thresholds
        assert clf.classes_.tolist() == old.classes_.tolist()


@pytest.mark.parametrize("model", [{}, {"cross_fit_folds": 3}], ids=["refit", "cross_fit"])
def test_final_model_never_uses_the_test_split(
    model: dict[str, int], tickets: list[Ticket]
) -> None:
    config = tiny_config(model=model)
    first = train(config, tickets)
    test_ids = {t.ticket_id for t in split_tickets(tickets, config.split, 0, "category").test}
    categories = sorted({label_of(t, "category") for t in tickets})

    def shifted(ticket: Ticket) -> Ticket:  # every test ticket gets another category
        if ticket.ticket_id not in test_ids:
            return ticket
        index = categories.index(str(label_of(ticket, "category")))
        return ticket.replace(category=categories[(index + 1) % len(categories)])

    again = train(config, [shifted(t) for t in tickets])
    data = inputs(tickets[:40])
    for target in TARGETS:
        assert again.model.policies[target].thresholds == first.model.policies[target].thresholds
        np.testing.assert_array_equal(
            again.model.predict_proba(data)[target], first.model.predict_proba(data)[target]
        )
    assert again.metrics["targets"]["category"]["accuracy"] < 0.5  # the test labels did change


def test_refit_off_keeps_the_model_fitted_on_the_train_part(
    no_refit: TrainResult, tickets: list[Ticket]
) -> None:
    config = no_refit.config
    assert config.model.calibration == "validation"
    split = split_tickets(tickets, config.split, config.seed, "category")
    featurizer = no_refit.model.featurizer
    X_train = featurizer.transform(inputs(split.train))
    probe = featurizer.transform(inputs(split.test[:30]))
    for target in TARGETS:
        clf = no_refit.model.classifiers[target]
        rows, y = labelled(split.train, target, clf.classes_.tolist())
        expected = clf.clone().fit(X_train[rows], y)
        np.testing.assert_allclose(clf.decision_function(probe), expected.decision_function(probe))
        report = no_refit.metrics["targets"][target]
        assert report["fit_rows"] == len(y)
        assert report["calibration"] == "validation"


def test_refit_learns_links_from_train_and_validation(
    tickets: list[Ticket], monkeypatch: pytest.MonkeyPatch
) -> None:
    import training.train as train_module

    seen: list[int] = []  # the policy is chosen with links from the train part, then the final
    original = train_module._links

    def spy(config, part, targets):  # type: ignore[no-untyped-def]
        seen.append(len(part))
        return original(config, part, targets)

    monkeypatch.setattr(train_module, "_links", spy)
    for refit in (True, False):
        config = tiny_config(baselines=False, model={"refit": refit})
        train(config, tickets)
    split = split_tickets(tickets, tiny_config().split, 0, "category")
    assert seen == [len(split.train), len(split.train) + len(split.val)] + [len(split.train)] * 2


def test_refit_without_validation_rows_of_a_target_keeps_the_train_model(
    tickets: list[Ticket],
) -> None:
    import dataclasses

    from training.datasets import Split
    from training.train import _refit, _refit_target

    train_part = tickets[:60]
    unlabelled = [dataclasses.replace(t, category=None) for t in tickets[60:70]]
    split = Split(train_part, unlabelled, [], "random", 0)
    X = {
        "train": sp.csr_matrix(np.random.default_rng(0).random((60, 5))),
        "val": sp.csr_matrix(np.random.default_rng(1).random((10, 5))),
    }
    y = [str(v) for v in labels(train_part, "category")]
    clf = TargetClassifier("linear_svc", C=1.0).fit(X["train"], y)
    config = tiny_config(model=LINEAR)
    assert config.model.calibration == "refit"
    assert _refit(config, clf, split, X, "category") is None
    report = {"fit_rows": 60}
    assert _refit_target(clf, None, report) is clf and report == {"fit_rows": 60}
