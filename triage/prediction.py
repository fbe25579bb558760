"""What a triage answers for one ticket: the contract between the models, retrieval and the API."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Relevance = Literal["strong", "weak"]
"""How sure retrieval is that a result matches: "strong" at or above the index's calibrated strong
cut-off, "weak" between the floor and that cut-off (shown, so the agent decides)."""


class Action(enum.StrEnum):
    """What the ticket system may do with a prediction.

    `auto`: confidence above the class threshold chosen for the target precision; apply it.
    `suggest`: show the top-3 to the agent. `review`: no reliable prediction; a person decides.
    """

    AUTO = "auto"
    SUGGEST = "suggest"
    REVIEW = "review"


class Reason(enum.StrEnum):
    """Why a prediction is not `auto` (the sentence in `TargetPrediction.reason` gives numbers).

    `unfamiliar`: the ticket is unlike the training tickets (nearest similarity below what
    validation tickets had, or no known word). `never_auto`: the class never reached the target
    precision on validation data. `below_threshold`: confidence under the class threshold.
    `near_tie`: the top two labels are closer than the margin chosen on validation data.
    """

    UNFAMILIAR = "unfamiliar"
    NEVER_AUTO = "never_auto"
    BELOW_THRESHOLD = "below_threshold"
    NEAR_TIE = "near_tie"


@dataclass(frozen=True, slots=True)
class LabelScore:
    """A label with its calibrated probability."""

    label: str
    confidence: float


@dataclass(frozen=True, slots=True)
class TargetPrediction:
    """The prediction for one target (category, priority or support_line)."""

    target: str
    label: str
    confidence: float
    action: Action
    threshold: float | None
    alternatives: tuple[LabelScore, ...]
    """The top-3 labels (the predicted one first) with calibrated probabilities."""
    reason_code: Reason | None = None
    """Why the action is not `auto` (None when it is)."""
    reason: str | None = None
    """The same as a sentence with the numbers, e.g. "near tie with email: margin 0.02 < 0.10"."""


@dataclass(frozen=True, slots=True)
class SimilarTicket:
    """A solved past ticket close to the query, with what solved it."""

    ticket_id: str
    similarity: float
    subject: str
    solution: str | None
    category: str | None
    support_line: int | None
    resolved_at: datetime | None
    relevance: Relevance = "strong"


@dataclass(frozen=True, slots=True)
class KBSuggestion:
    """A knowledge-base article that may answer the ticket."""

    article_id: str
    title: str
    score: float
    snippet: str
    relevance: Relevance = "strong"


@dataclass(frozen=True, slots=True)
class NeighbourVote:
    """Evidence from retrieval: how the k most similar solved tickets were labelled for a target."""

    target: str
    label: str
    count: int
    of: int

    def sentence(self) -> str:
        """E.g. "7 of the 10 most similar solved tickets had support_line 2"."""
        head = f"{self.count} of the {self.of} most similar solved tickets"
        return f"{head} had {self.target} {self.label}"


@dataclass(frozen=True, slots=True)
class TriageResult:
    """Everything `triage` says about one ticket."""

    predictions: dict[str, TargetPrediction]
    similar: tuple[SimilarTicket, ...] = ()
    kb: tuple[KBSuggestion, ...] = ()
    evidence: tuple[NeighbourVote, ...] = ()
    model_version: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
