"""A fake triager for pure HTTP-mechanics tests (429, health under load); never for model claims."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from triage.prediction import Action, LabelScore, TargetPrediction, TriageResult
from triage.schema import Ticket


class FakeGatedTriager:
    """Answers a fixed label once `gate` is set; records the batch sizes it was called with."""

    version = "fake-1"
    retriever = None

    def __init__(self) -> None:
        self.manifest: dict[str, Any] = {"version": self.version}
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.batch_sizes: list[int] = []

    def predict(self, ticket: Ticket) -> TriageResult:
        return self.predict_many([ticket])[0]

    def predict_many(
        self,
        tickets: Sequence[Ticket],
        *,
        k_similar: int = 5,
        k_kb: int = 3,
        vectors: Any = None,
    ) -> list[TriageResult]:
        self.entered.set()
        self.gate.wait(timeout=30)
        self.batch_sizes.append(len(tickets))
        pred = TargetPrediction(
            "category", "Network", 0.9, Action.SUGGEST, None, (LabelScore("Network", 0.9),)
        )
        return [
            TriageResult(predictions={"category": pred}, model_version=self.version)
            for _ in tickets
        ]
