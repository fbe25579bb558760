"""GET /v1/similar and /v1/kb/search: agents searching by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.deps import ModelDep
from api.errors import NotReady
from api.schemas import MIN_RELEVANCE_HELP, KBOut, MinRelevance, SearchResponse, SimilarOut
from api.security import AgentScope

router = APIRouter(prefix="/v1", tags=["search"], dependencies=[AgentScope])

QueryText = Annotated[
    str, Query(min_length=1, max_length=2_000, description="Free text to search for.")
]
K = Annotated[int, Query(ge=1, le=50)]
Floor = Annotated[MinRelevance, Query(description=MIN_RELEVANCE_HELP)]


async def _search(
    request: Request,
    method: Callable[[str, int], Sequence[Any]],
    q: str,
    k: int,
    min_relevance: str,
) -> list[Any]:
    loop = asyncio.get_running_loop()
    hits = await loop.run_in_executor(request.app.state.executor, method, q, k)
    # Results are best first, so asking for strong ones keeps the leading strong results.
    return [h for h in hits if min_relevance != "strong" or h.relevance == "strong"]


def _retriever(model: ModelDep, what: str) -> Any:
    retriever = model.triager.retriever
    if retriever is None or not hasattr(retriever, what):
        raise NotReady(
            f"model {model.version} has no {what} index; export the bundle with retrieval"
        )
    return retriever


@router.get("/similar", response_model=SearchResponse, summary="Similar solved tickets")
async def similar(
    q: QueryText, request: Request, model: ModelDep, k: K = 5, min_relevance: Floor = "weak"
) -> Any:
    """Solved tickets closest to `q`, with their solutions, each marked strong or weak."""
    hits = await _search(request, _retriever(model, "similar").similar, q, k, min_relevance)
    return SearchResponse(
        model_version=model.version, similar=[SimilarOut.model_validate(h) for h in hits]
    )


@router.get("/kb/search", response_model=SearchResponse, summary="Knowledge-base search")
async def kb_search(
    q: QueryText, request: Request, model: ModelDep, k: K = 5, min_relevance: Floor = "weak"
) -> Any:
    """KB articles that may answer `q`, each marked strong or weak."""
    hits = await _search(request, _retriever(model, "kb").kb, q, k, min_relevance)
    return SearchResponse(model_version=model.version, kb=[KBOut.model_validate(h) for h in hits])
