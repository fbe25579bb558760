"""The pure training function on tiny separable data: learnability, contracts, splits, skips."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from tiny_data import make_tickets, tiny_config

from training.datasets import dedupe, split_tickets
from training.train import TrainResult, build_bundle, train
from triage.embeddings import HashingEmbedder
from triage.errors import DataError
from triage.features import feature_input
from triage.prediction import Action
from triage.schema import Ticket
from triage.triager import Triager

EMBEDDER = HashingEmbedder(32)


def in_memory(result: TrainResult, manifest: dict | None = None) -> Triager:
    return Triager(result.model, manifest or {"version": "mem"}, EMBEDDER)


def inputs(tickets: list[Ticket]):  # type: ignore[no-untyped-def]
    return feature_input(tickets, EMBEDDER.encode([t.text for t in tickets]))


@pytest.fixture(scope="module")
def result(tickets: list[Ticket]) -> TrainResult:
    return train(tiny_config(), tickets)


def test_train_learns_all_targets_on_separable_data(result: TrainResult) -> None:
    for target in ("category", "priority", "support_line"):
        report = result.metrics["targets"][target]
        assert report["accuracy"] >= 0.95, target
        assert report["baselines"]["majority"]["accuracy"] < report["accuracy"]
        assert 0.0 <= report["coverage"] <= 1.0
        assert set(report["per_class"]) == set(result.model.classifiers[target].classes_)
        assert report["precision_coverage"][0]["coverage"] == 1.0
        assert report["ece"] <= report["ece_uncalibrated"] + 1e-9
        slices = report["slices"]  # only slices with >= 20 test tickets are reported
        assert any(k.startswith("language=") for k in slices), slices
    assert result.split_method == "time"
    assert sum(result.split_sizes[k] for k in ("train", "val", "test")) == 240


def test_train_probabilities_are_a_distribution_and_argmax_is_the_label(
    result: TrainResult, tickets: list[Ticket]
) -> None:
    model = result.model
    proba = model.predict_proba(inputs(tickets[:30]))
    triager = in_memory(result)
    predictions = triager.predict_many(tickets[:30])
    for target, p in proba.items():
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
        labels = model.classifiers[target].classes_[p.argmax(axis=1)]
        assert [r.predictions[target].label for r in predictions] == labels.tolist()
    alternatives = predictions[0].predictions["category"].alternatives
    assert (
        len(alternatives) == 3
        and alternatives[0].label == predictions[0].predictions["category"].label
    )


def test_train_same_seed_same_model(tickets: list[Ticket], result: TrainResult) -> None:
    again = train(tiny_config(), tickets)
    data = inputs(tickets[:20])
    for target in result.model.targets:
        np.testing.assert_array_equal(
            result.model.predict_proba(data)[target], again.model.predict_proba(data)[target]
        )


def test_train_links_category_to_support_line(result: TrainResult) -> None:
    links = {(link.parent, link.child) for link in result.model.links}
    assert ("category", "support_line") in links
    assert ("category", "priority") not in links  # every category has every priority: no constraint
    assert result.metrics["consistency"]["category->support_line.final_inconsistency"] == 0.0


def test_train_direction_urgent_words_raise_priority(result: TrainResult) -> None:
    triager = in_memory(result)
    urgent = triager.predict(
        Ticket(ticket_id="u", subject="vpn down for everyone outage production")
    )
    calm = triager.predict(Ticket(ticket_id="c", subject="vpn question when possible minor"))
    assert urgent.predictions["priority"].label == "P1"
    assert calm.predictions["priority"].label == "P4"


def test_train_trains_only_targets_the_data_has(tickets: list[Ticket]) -> None:
    only_category = [t.replace(priority=None, support_line=None) for t in tickets]
    result = train(tiny_config(baselines=False), only_category)
    assert result.model.targets == ("category",)
    assert set(result.skipped) == {"priority", "support_line"}
    assert "fewer than" in result.skipped["priority"]


def test_train_single_class_dataset_is_a_clear_error(tickets: list[Ticket]) -> None:
    same = [t.replace(category="Network", priority=None, support_line=None) for t in tickets]
    with pytest.raises(DataError, match=r"no target can be trained.*only 1 class"):
        train(tiny_config(), same)


def test_train_too_few_examples_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="min_examples_per_target"):
        train(tiny_config(), make_tickets(10))


def test_train_drops_and_reports_rare_classes(tickets: list[Ticket]) -> None:
    rare = [tickets[0].replace(ticket_id="rare1", category="Rare"), *tickets]
    result = train(tiny_config(baselines=False, split={"method": "stratified"}), rare)
    assert "Rare" not in result.model.classifiers["category"].classes_
    assert result.metrics["targets"]["category"]["dropped_rare_classes"] == ["Rare"]
    # not even the very text it was trained on is ever predicted as the dropped class
    predicted = in_memory(result).predict(rare[0]).predictions["category"]
    assert predicted.label != "Rare" and predicted.label in {str(t.category) for t in tickets}


def test_datasets_dedupe_before_split_and_time_order(tickets: list[Ticket]) -> None:
    copies = [replace(t, ticket_id=t.ticket_id + "b", body=t.body.upper()) for t in tickets[:10]]
    kept, removed = dedupe(tickets + copies)
    assert removed == 10 and len(kept) == 240
    split = split_tickets(tickets + copies, tiny_config().split, 0, "category")
    assert split.duplicates_removed == 10
    assert max(t.created_at for t in split.train) < min(t.created_at for t in split.test)


def test_datasets_stratified_without_dates(tickets: list[Ticket]) -> None:
    undated = [t.replace(created_at=None) for t in tickets]
    split = split_tickets(undated, tiny_config().split, 0, "category")
    assert split.method == "stratified"
    assert {t.category for t in split.test} == {t.category for t in tickets}


def test_build_bundle_round_trip_predicts_identically(
    result: TrainResult, tickets: list[Ticket], tmp_path: Path
) -> None:
    bundle = build_bundle(result, tmp_path / "b")
    loaded = Triager.load(bundle)
    assert loaded.manifest["labels"]["support_line"] == ["1", "2", "3"]
    assert loaded.manifest["embedder"]["dim"] == 32
    fresh = in_memory(result, loaded.manifest).predict_many(tickets[:25])
    assert loaded.predict_many(tickets[:25]) == fresh
    assert {p.action for r in fresh for p in r.predictions.values()} <= set(Action)


def test_train_probabilities_are_the_served_ones(
    result: TrainResult, tickets: list[Ticket]
) -> None:
    from training.train import _probabilities

    model, data = result.model, inputs(tickets[:40])
    raw, uncalibrated = _probabilities(model, data)
    given, _ = _probabilities(model, data, model.featurizer.transform(data))
    served, alone = model.predict_proba(data), model.predict_proba(data, consistent=False)
    assert model.links  # the linked child's marginal is part of what is compared
    for target in model.targets:
        np.testing.assert_array_equal(raw[target], alone[target])
        np.testing.assert_array_equal(given[target], alone[target])
        np.testing.assert_array_equal(model.link(raw)[target], served[target])
        np.testing.assert_array_equal(uncalibrated[target], model.uncalibrated_proba(data)[target])


def test_a_served_ticket_without_language_is_triaged_as_with_its_detected_one(
    result: TrainResult, tickets: list[Ticket]
) -> None:
    """Every training ticket had a language (the importer detects one); a client that sends
    none must get the prediction of the same ticket with its language, not of an all-zero
    language column the model never saw."""
    triager = in_memory(result)
    text = "My laptop does not start any more, not even on the charger. The light keeps blinking."
    sent = tickets[0].replace(subject="laptop", body=text, language=None, channel=None)
    labelled = sent.replace(language="en")
    assert triager.predict(sent).predictions == triager.predict(labelled).predictions
    featurizer = result.model.featurizer
    row = featurizer.transform(inputs([sent])).toarray()[0]
    start = len(featurizer.word_.vocabulary_) + len(featurizer.char_.vocabulary_)  # type: ignore[union-attr]
    start += featurizer.embedding_dim_
    channels = row[start : start + len(featurizer.channels_)]
    languages = row[start + len(channels) : start + len(channels) + len(featurizer.languages_)]
    assert featurizer.languages_ == ["en", "nl"] and list(languages) == [1.0, 0.0]
    # no channel: the training tickets' mix of channels, not zeros
    assert channels.sum() == pytest.approx(1.0) and (channels > 0).all()
