"""Service configuration from environment variables with the `TRIAGE_` prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from triage.store.engine import DEFAULT_DATABASE_URL


class Settings(BaseSettings):
    """Everything the service reads from its environment (`TRIAGE_<NAME>`), validated at start."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_", extra="forbid", frozen=True)

    # where things are
    bundle_dir: Path | None = Field(default=None, description="Bundle to load; none: unready.")
    bundle_root: Path | None = Field(default=None, description="Reload only bundles under here.")
    embedder: str | None = Field(default=None, description="`hashing-<dim>` (tests only).")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, description="SQLAlchemy URL.")
    dev_key_file: Path | None = Field(default=None, description="Admin dev key file, made once.")
    # how it serves (host, port and workers are `triage serve` options: uvicorn binds them)
    cors_origins: list[str] = Field(default_factory=list, description="CORS origins; empty = off.")
    log_level: str = "INFO"
    warmup: bool = Field(default=True, description="One prediction before reporting ready.")
    # limits and batching
    max_body_bytes: int = Field(default=256_000, ge=1_024, description="Body limit (413).")
    max_batch_tickets: int = Field(default=100, ge=1, le=1_000, description="Per batch call.")
    micro_batch_size: int = Field(default=32, ge=1, le=512, description="Per inference call.")
    micro_batch_wait_ms: float = Field(default=0.0, ge=0, le=100, description="Batch fill wait.")
    queue_capacity: int = Field(default=256, ge=1, description="Queued tickets before 429.")
    max_queue_wait_ms: float = Field(
        default=2_000, gt=0, description="Expected queue wait before 429 (bounds latency)."
    )
    similar_k: int = Field(default=5, ge=0, le=50, description="Similar tickets / KB hits.")
    batch_prediction_writes: bool = Field(
        default=True, description="Commit predictions on a writer thread, off the response path."
    )
    search_threads: int = Field(default=1, ge=1, le=64, description="FAISS threads per search.")

    @field_validator("embedder")
    @classmethod
    def _known_embedder(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("hashing-"):
            raise ValueError("TRIAGE_EMBEDDER must be `hashing-<dim>` or unset (bundle decides)")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("TRIAGE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()
