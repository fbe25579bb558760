"""The trainer's order of work: what it does before it waits for the in-run baseline."""

from __future__ import annotations

import pytest
from tiny_data import make_tickets, tiny_config

import training.train as train_module
from training.baseline import BaselineJob
from training.train import train
from triage.features import TicketFeaturizer


def test_each_target_is_fitted_and_refitted_before_the_baseline_is_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The blends need the train-part baseline's validation scores, but a target's own fit,
    votes and refit do not: they run while the baseline's process fits (on the 48k retrain
    that wait was 25-38 s of idle trainer). The first target's refit comes before the first
    wait; the evaluation reuses the test part's features instead of featurising it again."""
    events: list[str] = []
    held_model, refit = BaselineJob.held_model, train_module._refit
    transform, featurised = TicketFeaturizer.transform, []

    def counted(self, data):  # type: ignore[no-untyped-def]
        featurised.append(len(data))
        return transform(self, data)

    def held(self):  # type: ignore[no-untyped-def]
        events.append("wait for the baseline")
        return held_model(self)

    def refitted(config, clf, split, X, target):  # type: ignore[no-untyped-def]
        events.append(f"refit {target}")
        return refit(config, clf, split, X, target)

    monkeypatch.setattr(BaselineJob, "held_model", held)
    monkeypatch.setattr(train_module, "_refit", refitted)
    monkeypatch.setattr(TicketFeaturizer, "transform", counted)
    result = train(tiny_config(baselines=True), make_tickets(400, seed=11))
    assert events[:2] == ["refit category", "wait for the baseline"]
    assert events.count("wait for the baseline") == 1  # asked once, kept for every target
    assert {f"refit {t}" for t in result.model.classifiers} <= set(events)
    sizes = result.split_sizes
    assert sizes["test"] != sizes["val"]  # else the count below could not tell them apart
    assert featurised.count(sizes["test"]) == 1  # the evaluation reused the test part's matrix
