"""Wire models of the HTTP API: strict (`extra="forbid"`), length-limited, with OpenAPI examples."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from triage.prediction import TriageResult
from triage.schema import Channel, Level, Priority, Status, SupportLine, Ticket
from triage.store.records import Outcome
from triage.text import VISIBLE_PATTERN, clean_text, strip_invisible


def visible_text(value: str) -> str:
    """Training's `clean_text`; a text that cleans to nothing is refused (422)."""
    cleaned = clean_text(value)
    if not cleaned:
        raise ValueError("holds no visible text (only spaces, zero-width or control characters)")
    return cleaned


def _plain(value: str) -> str | None:
    """Invisible format and control characters out (zero-width, bidi marks), spaces trimmed; a
    value with nothing left is no value (None), as an absent field: a ticket system sends "" for
    an empty field, and "\u0000" must not become a requester pseudonym or an empty solution."""
    return strip_invisible(value).strip() or None


def _iso_text(value: Any) -> Any:
    if not isinstance(value, str):  # pydantic would read a number as a Unix time
        raise ValueError("send a date-time as ISO 8601 text, e.g. 2026-12-01T09:30:00+01:00")
    return value


def _json_number(value: Any) -> Any:
    if isinstance(value, bool | str):  # pydantic would read "5" as 5 and true as 1
        raise ValueError("send a JSON number, not text or true/false")
    return value


IsoTime = Annotated[datetime, BeforeValidator(_iso_text)]


# Integers as JSON Schema has them: 3 and 3.0, not "3", not true. (The bounds come before the
# validator, or the schema shows them as unknown `ge`/`le` keys.)
ReopenedCount = Annotated[int, Field(ge=0, le=1000), BeforeValidator(_json_number)]
Csat = Annotated[int, Field(ge=1, le=5), BeforeValidator(_json_number)]


VisibleText = Annotated[str, AfterValidator(visible_text)]
"""Free text cleaned as in training; the schema asks for one visible character."""
OPTIONAL_TEXT = f"^$|{VISIBLE_PATTERN}"
"""Empty, or with a character `clean_text` keeps."""
Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")]
ShortText = Annotated[str, Field(max_length=200), AfterValidator(_plain)]
Subject = Annotated[str, Field(max_length=500, pattern=OPTIONAL_TEXT)]
Body = Annotated[str, Field(max_length=20_000, pattern=OPTIONAL_TEXT)]
LongText = Annotated[str, Field(max_length=10_000), AfterValidator(_plain)]
Target = Literal["category", "priority", "support_line"]
MinRelevance = Literal["weak", "strong"]
MIN_RELEVANCE_HELP = (
    "weak (default): similar tickets and KB articles above the index's calibrated floor, each "
    "marked strong or weak; strong: strong matches only."
)

ANON_PREFIX = "anon-"
"""The id prefix the service gives a ticket sent without an id."""

TICKET_EXAMPLE: JsonDict = {
    "ticket_id": "INC-10042",
    "subject": "VPN drops every few minutes",
    "body": "Since this morning my VPN connection drops every 5 minutes when working from home.",
    "channel": "email",
    "language": "en",
}


class Strict(BaseModel):
    """Base of request models: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _needs_text(schema: JsonDict) -> None:
    """JSON Schema: a non-empty subject or body (what `_has_text` checks after cleaning)."""
    schema["anyOf"] = [
        {"required": [name], "properties": {name: {"pattern": VISIBLE_PATTERN}}}
        for name in ("subject", "body")
    ]
    schema["examples"] = [TICKET_EXAMPLE]


class TicketIn(Strict):
    """A ticket as a ticket system sends it; only some text (subject or body) is required.

    Subject and body are cleaned as training cleans them (`clean_text`: invisible and control
    characters dropped, Unicode and whitespace normalised, quoted history cut) before the check
    that one of them holds text, so a subject of zero-width characters is empty (422).
    """

    model_config = ConfigDict(json_schema_extra=_needs_text)

    ticket_id: Id | None = Field(None, description="The ticket system's id; generated if absent.")
    subject: Subject = ""
    body: Body = ""
    created_at: IsoTime | None = Field(None, description="ISO 8601 with a time zone.")
    language: Annotated[str, Field(max_length=16)] | None = None
    channel: Channel | None = None
    requester: ShortText | None = Field(
        None, description="Personal data: kept only as a keyed pseudonym, never logged or shown."
    )
    category: ShortText | None = None
    subcategory: ShortText | None = None
    priority: Priority | None = None
    impact: Level | None = None
    urgency: Level | None = None
    support_line: SupportLine | None = None
    assignment_group: ShortText | None = None

    @field_validator("subject", "body")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_text(value)

    @model_validator(mode="after")
    def _has_text(self) -> TicketIn:
        if not (self.subject or self.body):
            raise ValueError("subject and body are both empty; send some ticket text")
        return self

    def to_ticket(self, fallback_id: str) -> Ticket:
        """The domain ticket (raises `TicketValueError` on values the domain refuses)."""
        values = self.model_dump(exclude_none=True)
        values.setdefault("ticket_id", fallback_id)
        return Ticket(**values)


RESOLVED_EXAMPLE: JsonDict = TICKET_EXAMPLE | {
    "category": "Network",
    "priority": "P3",
    "support_line": 1,
    "solution": "Updated the VPN client to 5.2.",
    "status": "resolved",
}


def _resolved_schema(schema: JsonDict) -> None:
    _needs_text(schema)
    schema["examples"] = [RESOLVED_EXAMPLE]


class ResolvedTicketIn(TicketIn):
    """A ticket closed in the ticket system, with its final labels and solution."""

    model_config = ConfigDict(json_schema_extra=_resolved_schema)

    ticket_id: Id
    status: Status = Status.RESOLVED
    cause: LongText | None = None
    solution: LongText | None = None
    resolved_at: IsoTime | None = None
    closed_at: IsoTime | None = None
    time_spent_minutes: float | None = Field(None, ge=0, le=1e7, strict=True)
    kb_article_id: Id | None = None
    # optional KPI fields: without them /v1/insights/kpi reports that KPI unavailable, with why
    first_response_at: IsoTime | None = Field(
        None, description="First reply to the user (ISO 8601 with a time zone): response time."
    )
    # "5" or "yes" is a client bug to report, not a value to guess (as kb_helpful)
    reopened_count: ReopenedCount | None = Field(None, description="Times reopened.")
    escalated: bool | None = Field(
        None, strict=True, description="Went beyond its first assignment."
    )
    csat: Csat | None = Field(None, description="Customer satisfaction, 1 to 5.")


class TriageRequest(Strict):
    """One ticket to triage."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"ticket": TICKET_EXAMPLE}]})

    ticket: TicketIn
    k: int | None = Field(
        None,
        strict=True,  # `false` is no number, as the JSON Schema says
        ge=0,
        le=50,
        description="Similar tickets / KB hits to return (at most TRIAGE_SIMILAR_K).",
    )
    min_relevance: MinRelevance = Field("weak", description=MIN_RELEVANCE_HELP)


class BatchRequest(Strict):
    """Several tickets for back-filling or imports (the limit is `TRIAGE_MAX_BATCH_TICKETS`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"tickets": [TICKET_EXAMPLE]}]})

    # No schema cap: the route refuses more than TRIAGE_MAX_BATCH_TICKETS with that number (a
    # second, fixed cap here answered 1,001 tickets with a different limit than 101); the body
    # size limit (413) bounds what is parsed.
    tickets: list[TicketIn] = Field(min_length=1)
    min_relevance: MinRelevance = Field("weak", description=MIN_RELEVANCE_HELP)


class LabelScoreOut(BaseModel):
    label: str
    confidence: float


class TargetOut(BaseModel):
    """The prediction for one target with its top-3 alternatives, and why it is not `auto`."""

    label: str
    confidence: float = Field(description="Calibrated probability in [0, 1].")
    action: Literal["auto", "suggest", "review"]
    threshold: float | None = Field(
        description="The class threshold for `auto`; null: the class never auto-applies."
    )
    alternatives: list[LabelScoreOut]
    reason_code: Literal["unfamiliar", "never_auto", "below_threshold", "near_tie"] | None = Field(
        None, description="Why the action is not `auto`; null when it is."
    )
    reason: str | None = Field(
        None,
        description="The same as a sentence with its numbers, e.g. "
        "'near tie with email: margin 0.020 < 0.050'.",
    )


RELEVANCE_HELP = (
    "strong: at or above the index's calibrated strong cut-off, very likely the same problem; "
    "weak: above the floor but below that cut-off, possibly related (the agent decides)."
)


class SimilarOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # model_validate(SimilarTicket)

    ticket_id: str
    similarity: float
    subject: str
    solution: str | None
    category: str | None
    support_line: int | None
    resolved_at: datetime | None
    relevance: Literal["strong", "weak"] = Field(description=RELEVANCE_HELP)


class KBOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # model_validate(KBSuggestion)

    article_id: str
    title: str
    score: float
    snippet: str
    relevance: Literal["strong", "weak"] = Field(description=RELEVANCE_HELP)


class EvidenceOut(BaseModel):
    target: str
    label: str
    count: int
    of: int
    sentence: str


class TriageResponse(BaseModel):
    """What the service says about one ticket; send `prediction_id` back with feedback."""

    prediction_id: str
    ticket_id: str
    model_version: str
    predictions: dict[str, TargetOut]
    similar: list[SimilarOut]
    kb: list[KBOut]
    evidence: list[EvidenceOut]
    warnings: list[str]

    @classmethod
    def of(cls, prediction_id: str, ticket_id: str, r: TriageResult) -> TriageResponse:
        preds = {
            t: TargetOut(
                label=p.label,
                confidence=p.confidence,
                action=p.action.value,
                threshold=p.threshold,
                alternatives=[
                    LabelScoreOut(label=a.label, confidence=a.confidence) for a in p.alternatives
                ],
                reason_code=None if p.reason_code is None else p.reason_code.value,
                reason=p.reason,
            )
            for t, p in r.predictions.items()
        }
        evidence = [
            EvidenceOut(
                target=e.target, label=e.label, count=e.count, of=e.of, sentence=e.sentence()
            )
            for e in r.evidence
        ]
        return cls(
            prediction_id=prediction_id,
            ticket_id=ticket_id,
            model_version=r.model_version,
            predictions=preds,
            similar=[SimilarOut.model_validate(s) for s in r.similar],
            kb=[KBOut.model_validate(k) for k in r.kb],
            evidence=evidence,
            warnings=list(r.warnings),
        )


class BatchResponse(BaseModel):
    results: list[TriageResponse]


class FeedbackIn(Strict):
    """What the agent did with a prediction."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "prediction_id": "4f1c0a9e2b7d4c11a0e0f3d2c1b0a998",
                    "outcome": "corrected",
                    "corrections": {"category": "Network"},
                    "kb_article_id": "KB-12",
                    "kb_helpful": True,
                }
            ]
        }
    )

    prediction_id: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")]
    outcome: Outcome = Field(
        description="A verdict on the predicted labels (the latest counts), or `rated`: no "
        "verdict, only which similar ticket or KB article helped (or not)."
    )
    corrections: dict[Target, Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=dict, description="Target -> the label the agent set instead."
    )
    solved_by_ticket_id: Id | None = Field(
        None, description="The similar ticket whose solution worked."
    )
    kb_article_id: Id | None = None
    kb_helpful: bool | None = Field(
        None, strict=True, description="True: KB article helped; false: dismissed."
    )
    agent: ShortText | None = None
    comment: Annotated[str, Field(max_length=2_000)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackIn:
        if self.outcome == "corrected" and not self.corrections:
            raise ValueError("outcome `corrected` needs `corrections` (target -> label)")
        if self.outcome == "rated" and (
            self.corrections or not (self.solved_by_ticket_id or self.kb_article_id)
        ):
            raise ValueError(
                "outcome `rated` takes no corrections and needs solved_by_ticket_id or "
                "kb_article_id; send a verdict (accepted / corrected) for labels"
            )
        if "priority" in self.corrections and self.corrections["priority"] not in {
            p.value for p in Priority
        }:
            raise ValueError("corrections.priority must be one of P1, P2, P3, P4")
        if "support_line" in self.corrections and self.corrections["support_line"] not in {
            "1",
            "2",
            "3",
        }:
            raise ValueError("corrections.support_line must be 1, 2 or 3 (as a string)")
        return self


class FeedbackOut(BaseModel):
    feedback_id: int
    stored: bool = True


class ResolvedIn(Strict):
    """A resolved ticket; `prediction_id` links it to what was predicted when it was opened."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"ticket": RESOLVED_EXAMPLE}]})

    ticket: ResolvedTicketIn
    prediction_id: Annotated[str, Field(max_length=32, pattern=r"^[0-9a-f]+$")] | None = None


class ResolvedOut(BaseModel):
    resolved_id: int
    searchable: bool = Field(
        description="True when the ticket was added to the similar-ticket index."
    )


class SearchResponse(BaseModel):
    model_version: str
    similar: list[SimilarOut] = Field(default_factory=list)
    kb: list[KBOut] = Field(default_factory=list)


class ModelInfo(BaseModel):
    version: str
    manifest: dict[str, Any]


class ReloadRequest(Strict):
    bundle_dir: Annotated[str, Field(min_length=1, max_length=1_000)] | None = Field(
        None, description="Bundle folder on the server; default: TRIAGE_BUNDLE_DIR."
    )


class ReloadOut(BaseModel):
    previous_version: str | None
    version: str


class Health(BaseModel):
    status: str
    model_version: str | None = None
    detail: str | None = None


class KeyRevokedOut(BaseModel):
    key_id: str
    revoked_at: datetime | None


class PurgedOut(BaseModel):
    key_id: str
    deleted: int = Field(description="Feedback rows deleted.")
