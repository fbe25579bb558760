"""Service configuration from environment variables with the `TRIAGE_` prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from triage.insight.config import DEFAULT_RESOLUTION_HOURS, DEFAULT_RESPONSE_HOURS, InsightConfig
from triage.store.engine import DEFAULT_DATABASE_URL


class Settings(BaseSettings):
    """Everything the service reads from its environment (`TRIAGE_<NAME>`), validated at start."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_", extra="forbid", frozen=True)

    # where things are
    bundle_dir: Path | None = Field(default=None, description="Bundle to load; none: unready.")
    bundle_root: Path = Field(
        default=Path("models"),
        description="Reload only bundles under here (default: the models folder).",
    )
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
    rate_limit_per_s: float = Field(
        default=0.0, ge=0, description="Requests per second per API key (token bucket); 0: off."
    )
    rate_limit_burst: int = Field(default=50, ge=1, description="Bucket size: a key's burst.")
    key_recheck_s: float = Field(
        default=1.0, gt=0, le=30, description="Seconds between checks for revoked keys."
    )
    feedback_daily_cap: int | None = Field(
        default=5_000, ge=1, description="Feedback per key per 24 hours (429 past it); none: off."
    )
    similar_k: int = Field(default=5, ge=0, le=50, description="Similar tickets / KB hits.")
    batch_prediction_writes: bool = Field(
        default=True, description="Commit predictions on a writer thread, off the response path."
    )
    database_lock_timeout_s: float = Field(
        default=5.0, gt=0, le=60, description="Wait for a held database lock, per try (3 tries)."
    )
    replica_poll_s: float = Field(
        default=1.0, gt=0, le=60, description="Poll of the desired bundle and the ticket log."
    )
    feedback_wait_ms: float = Field(
        default=1_000, ge=0, le=30_000, description="Wait for another worker's prediction."
    )
    search_threads: int = Field(default=1, ge=1, le=64, description="FAISS threads per search.")
    embed_beside: bool = Field(
        default=True,
        description="Embed the next micro-batch on its own thread while one is answered.",
    )
    embed_threads: int = Field(
        default=1,
        ge=0,
        le=64,
        description="onnxruntime threads per embedding (1: the embedding thread keeps to one "
        "core, the inference thread has the other); 0: onnxruntime's default.",
    )
    # insight: KPIs, recurring issues, KB gaps, emerging incidents
    timezone: str = Field(default="Europe/Amsterdam", description="Zone KPIs are reported in.")
    sla_response_hours: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_RESPONSE_HOURS), description="Per priority, JSON."
    )
    sla_resolution_hours: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_RESOLUTION_HOURS), description="Per priority, JSON."
    )
    kb_path: Path | None = Field(default=None, description="KB articles for /v1/insights/kb-gaps.")
    insight_embedder: str = Field(
        default="use-multilingual", description="Embedder for clusters and incidents."
    )
    insight_max_tickets: int = Field(
        default=2_000, ge=20, le=50_000, description="Tickets clustered per insight request."
    )
    incidents: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Watch triaged tickets for bursts: on at start, off, or auto (from start "
        "when TRIAGE_WEBHOOK_URL is set, else from the first GET /v1/incidents/emerging).",
    )
    incident_poll_s: float = Field(default=15.0, gt=0, description="Seconds between checks.")
    incident_backfill: int = Field(
        default=5_000, ge=0, description="Recent tickets read at start for the usual rates."
    )
    webhook_url: str | None = Field(default=None, description="POST new incidents here.")
    webhook_secret: SecretStr | None = Field(default=None, description="HMAC key for webhooks.")
    webhook_max_attempts: int = Field(default=6, ge=1, le=20, description="Tries per event.")
    webhook_backoff_s: float = Field(default=2.0, gt=0, description="First retry delay.")
    privacy_config: Path | None = Field(
        default=None, description="YAML `privacy:` settings; unset: the bundle's (training's)."
    )
    privacy_secret_file: Path = Field(
        default=Path(".triage/privacy-secret"), description="Pseudonym secret, created once."
    )

    @field_validator("embedder")
    @classmethod
    def _known_embedder(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("hashing-"):
            raise ValueError("TRIAGE_EMBEDDER must be `hashing-<dim>` or unset (bundle decides)")
        return value

    @model_validator(mode="after")
    def _insight(self) -> Settings:
        from triage.errors import ConfigError

        try:
            self.insight_config()
        except ConfigError as exc:
            raise ValueError(f"insight settings: {exc}") from exc
        if self.webhook_url and not self.webhook_secret:
            raise ValueError(
                "TRIAGE_WEBHOOK_URL needs TRIAGE_WEBHOOK_SECRET (deliveries are signed)"
            )
        if self.webhook_url and not self.webhook_url.startswith(("http://", "https://")):
            raise ValueError("TRIAGE_WEBHOOK_URL must be an http:// or https:// URL")
        return self

    def insight_config(self) -> InsightConfig:
        """The insight configuration these settings describe."""
        return InsightConfig(
            timezone=self.timezone,
            sla_response_hours=self.sla_response_hours,
            sla_resolution_hours=self.sla_resolution_hours,
        )

    @field_validator("incidents", mode="before")
    @classmethod
    def _incidents(cls, value: object) -> object:
        # true / false (the setting was a boolean before "auto") keep working
        booleans = {"true": "on", "1": "on", "yes": "on", "false": "off", "0": "off", "no": "off"}
        if isinstance(value, bool):
            return "on" if value else "off"
        return booleans.get(str(value).lower(), value)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("TRIAGE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()
