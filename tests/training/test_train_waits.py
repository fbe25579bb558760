"""When `train` waits for the baseline's process: the side work (the retrieval index) fills the
wait, once, and the product's figures do not depend on when it ran."""

from __future__ import annotations

from typing import Any

import numpy as np
from tiny_data import make_tickets, tiny_config

from training.train import _Waits, train
from triage.embeddings import Embedder, HashingEmbedder
from triage.features import feature_input


class Job:
    """A baseline job's interface as `_Waits` reads it, with the held fit ready or not (a real
    spawned job is ready when the machine says so, which a test cannot pin down)."""

    def __init__(self, ready: bool, events: list[str]) -> None:
        self.ready, self.events = ready, events

    def held_ready(self) -> bool:
        return self.ready

    def held_model(self) -> str:
        self.events.append("held")
        return "held model"

    def result(self) -> tuple[str, dict[str, float]]:
        self.events.append("final")
        return "final model", {"cpu_s": 1.0}


def recorder(events: list[str]) -> Any:
    def side(emb: Embedder | None) -> None:
        events.append(f"side {emb is not None}")

    return side


def test_waits_side_work_fills_the_held_wait_when_the_baseline_is_not_ready() -> None:
    events: list[str] = []
    waits = _Waits(Job(False, events), recorder(events), lambda step: None)
    assert waits.held(HashingEmbedder(8)) == "held model"
    assert waits.final(HashingEmbedder(8)) == "final model"
    assert events == ["side True", "held", "final"]
    assert waits.timings["baseline_cpu_s"] == 1.0 and "side_work_s" in waits.timings


def test_waits_side_work_runs_once_before_the_final_wait_when_held_is_ready() -> None:
    events: list[str] = []
    waits = _Waits(Job(True, events), recorder(events), lambda step: None)
    waits.held(None)
    waits.final(None)
    waits.final(None)
    assert events == ["held", "side False", "final", "final"]


def test_waits_without_a_baseline_still_run_the_side_work() -> None:
    events: list[str] = []
    waits = _Waits(None, recorder(events), lambda step: None)
    assert waits.held(None) is None and waits.final(None) is None
    assert events == ["side False"]


def test_train_runs_side_work_once_with_the_run_embedder_and_same_model() -> None:
    tickets = make_tickets(240, seed=11)
    seen: list[Embedder | None] = []
    with_side = train(tiny_config(), tickets, side_work=seen.append)
    plain = train(tiny_config(), tickets)
    assert seen == [with_side.embedder_object] and seen[0] is not None
    assert with_side.metrics["targets"] == plain.metrics["targets"]
    data = feature_input(tickets[:20], HashingEmbedder(32).encode([t.text for t in tickets[:20]]))
    for target in plain.model.targets:
        np.testing.assert_array_equal(
            with_side.model.predict_proba(data)[target], plain.model.predict_proba(data)[target]
        )
