"""The `privacy:` section of the training config: redaction settings, retention, the secret."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from triage.errors import ConfigError
from triage.privacy.config import DEFAULT_KINDS, RedactionConfig


class PrivacyConfig(BaseModel):
    """What training redacts before the split (so before embedding, indexing, the frozen test
    split and MLflow), recorded in the bundle manifest (`config.privacy`) so the service
    redacts requests the same way. `kinds: []` turns redaction off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: list[str] = Field(default_factory=lambda: sorted(str(k) for k in DEFAULT_KINDS))
    style: str = "angle"
    region: str = "NL"
    names: str = "context"
    allow: list[str] = Field(default_factory=list)
    retention_months: int | None = Field(None, ge=1)
    """Tickets created more than this many months ago are left out of training and the index."""
    secret_file: str = ".triage/privacy-secret"
    """The deployment secret of the keyed pseudonyms (requester, cache keys); created once."""

    @model_validator(mode="after")
    def _valid_settings(self) -> PrivacyConfig:
        try:
            RedactionConfig.from_mapping(self.redaction_settings())
        except ConfigError as exc:  # pydantic reports ValueErrors with the field's path
            raise ValueError(str(exc)) from None
        return self

    def redaction_settings(self) -> dict[str, Any]:
        """The keys `RedactionConfig.from_mapping` reads."""
        return self.model_dump(exclude={"retention_months", "secret_file"})

    def section(self) -> dict[str, Any]:
        """Everything, as `TicketPrivacy.from_section` reads it."""
        return self.model_dump()
