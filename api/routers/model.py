"""GET /v1/model: the loaded bundle's manifest."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ModelDep
from api.schemas import ModelInfo
from api.security import AgentScope

router = APIRouter(prefix="/v1", tags=["model"], dependencies=[AgentScope])


@router.get("/model", response_model=ModelInfo, summary="The loaded model")
async def get_model(model: ModelDep) -> Any:
    """Versions, label sets, thresholds and evaluation metrics from the bundle's manifest."""
    manifest = {k: v for k, v in model.triager.manifest.items() if k != "files"}
    return ModelInfo(version=model.version, manifest=manifest)
