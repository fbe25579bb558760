"""GET /v1/similar and /v1/kb/search: agents searching by hand."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AfterValidator

from api.admission import Admission, AdmissionDep
from api.deps import ModelDep
from api.errors import NotReady
from api.privacy import PrivacyDep
from api.schemas import (
    MIN_RELEVANCE_HELP,
    KBOut,
    MinRelevance,
    SearchResponse,
    SimilarOut,
    visible_text,
)
from api.security import AgentScope
from triage.retrieval.protocol import RetrieverLike
from triage.text import VISIBLE_PATTERN

router = APIRouter(prefix="/v1", tags=["search"], dependencies=[AgentScope])


def _decoded(value: str) -> str:
    """Starlette decodes a query's bytes that are not UTF-8 as U+FFFD: refuse them, rather than
    search for replacement characters and answer that nothing matches."""
    if "\ufffd" in value:
        raise ValueError(
            "holds bytes that are not UTF-8 (decoded as U+FFFD); percent-encode the text as UTF-8"
        )
    return value


# The length bounds apply to the text as sent, before the cleaning (after it, pydantic counts
# "items"); the cleaning is `VisibleText`'s, `visible_text`.
QueryText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=2_000,
        pattern=VISIBLE_PATTERN,
        description="Free text to search for (cleaned as training cleans ticket text).",
    ),
    AfterValidator(_decoded),
    AfterValidator(visible_text),
]
K = Annotated[int, Query(ge=1, le=50)]
Floor = Annotated[MinRelevance, Query(description=MIN_RELEVANCE_HELP)]


async def _search(
    admission: Admission,
    method: Callable[[str, int], Sequence[Any]],
    q: str,
    k: int,
    min_relevance: str,
) -> list[Any]:
    hits = await admission.run(method, q, k)  # 429 when the queue is full
    # Results are best first, so asking for strong ones keeps the leading strong results.
    return [h for h in hits if min_relevance != "strong" or h.relevance == "strong"]


def _retriever(model: ModelDep) -> RetrieverLike:
    retriever = model.triager.retriever
    if retriever is None:
        raise NotReady(
            f"model {model.version} has no retrieval index; export the bundle with retrieval"
        )
    return retriever


@router.get("/similar", response_model=SearchResponse, summary="Similar solved tickets")
async def similar(
    q: QueryText,
    admission: AdmissionDep,
    model: ModelDep,
    privacy: PrivacyDep,
    k: K = 5,
    min_relevance: Floor = "weak",
) -> Any:
    """Solved tickets closest to `q`, with their solutions, each marked strong or weak."""
    q = privacy.text(q)  # a query is embedded and searched like a ticket: redacted first
    hits = await _search(admission, _retriever(model).similar, q, k, min_relevance)
    return SearchResponse(
        model_version=model.version, similar=[SimilarOut.model_validate(h) for h in hits]
    )


@router.get("/kb/search", response_model=SearchResponse, summary="Knowledge-base search")
async def kb_search(
    q: QueryText,
    admission: AdmissionDep,
    model: ModelDep,
    privacy: PrivacyDep,
    k: K = 5,
    min_relevance: Floor = "weak",
) -> Any:
    """KB articles that may answer `q`, each marked strong or weak."""
    q = privacy.text(q)
    hits = await _search(admission, _retriever(model).kb, q, k, min_relevance)
    return SearchResponse(model_version=model.version, kb=[KBOut.model_validate(h) for h in hits])
