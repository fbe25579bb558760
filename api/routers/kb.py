"""GET /v1/kb/articles/{article_id}: one whole knowledge-base article."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from api.deps import ModelDep
from api.errors import NotReady
from api.security import AgentScope
from triage.errors import NotFoundError

router = APIRouter(prefix="/v1", tags=["search"], dependencies=[AgentScope])


class KBArticleOut(BaseModel):
    """One whole knowledge-base article."""

    article_id: str
    title: str
    body: str
    category: str | None
    language: str | None
    updated_at: datetime | None


@router.get("/kb/articles/{article_id}", response_model=KBArticleOut, summary="One KB article")
async def article(
    article_id: Annotated[str, Path(min_length=1, max_length=200)], model: ModelDep
) -> Any:
    """The article as indexed in the loaded bundle; 404 when it has no such article."""
    retriever = model.triager.retriever
    if retriever is None:
        raise NotReady(f"model {model.version} has no KB index; export the bundle with retrieval")
    found = retriever.article(article_id)  # a dict read: cheap enough for the event loop
    if found is None:
        raise NotFoundError(f"KB article {article_id!r} is not in model {model.version}")
    return KBArticleOut(**found.to_dict())
