"""Insight settings: the local time zone, SLA targets per priority and the KPI definitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from triage.errors import ConfigError
from triage.schema import Priority

PRIORITIES: tuple[str, ...] = tuple(p.value for p in Priority)
DEFAULT_RESPONSE_HOURS: dict[str, float] = {"P1": 0.25, "P2": 1.0, "P3": 4.0, "P4": 8.0}
"""First response within: 15 min, 1 h, 4 h, 8 h (wall-clock hours)."""
DEFAULT_RESOLUTION_HOURS: dict[str, float] = {"P1": 4.0, "P2": 8.0, "P3": 40.0, "P4": 80.0}
"""Resolution within 4 / 8 / 40 / 80 h: the targets the sample's CSAT model uses (data/README)."""
PERIODS: tuple[str, ...] = ("day", "week", "month")


def _hours(name: str, values: Mapping[str, Any]) -> dict[str, float]:
    unknown = set(values) - set(PRIORITIES)
    if unknown:
        raise ConfigError(f"{name}: unknown priorities {sorted(unknown)}; use {PRIORITIES}")
    out: dict[str, float] = {}
    for priority, hours in values.items():
        if not isinstance(hours, int | float) or isinstance(hours, bool) or hours <= 0:
            raise ConfigError(f"{name}.{priority}: {hours!r} is not a positive number of hours")
        out[priority] = float(hours)
    return out


@dataclass(frozen=True, slots=True)
class InsightConfig:
    """How KPIs are computed.

    `timezone`: IANA zone that days, weeks, hours and heatmaps are reported in.
    `sla_response_hours` / `sla_resolution_hours`: targets per priority (P1..P4) in wall-clock
    hours; a priority without a target has no SLA share. `fcr_minutes`: a ticket counts as
    first-contact resolution when it is resolved within this many minutes of the first response,
    never reopened, not escalated and (when known) handled by the first line. `min_group`: the
    fewest tickets a group needs on both sides before a change in its rates is ranked.
    """

    timezone: str = "Europe/Amsterdam"
    sla_response_hours: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_RESPONSE_HOURS)
    )
    sla_resolution_hours: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_RESOLUTION_HOURS)
    )
    fcr_minutes: float = 30.0
    min_group: int = 20

    def __post_init__(self) -> None:
        self.zone()  # fail fast on an unknown zone
        for name in ("sla_response_hours", "sla_resolution_hours"):
            object.__setattr__(self, name, _hours(name, getattr(self, name)))
        if self.fcr_minutes <= 0:
            raise ConfigError(f"fcr_minutes: {self.fcr_minutes} must be positive")
        if self.min_group < 1:
            raise ConfigError(f"min_group: {self.min_group} must be at least 1")

    def zone(self) -> ZoneInfo:
        """The configured zone; `ConfigError` naming it when the zone database lacks it."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"time zone {self.timezone!r} unknown; use an IANA name such as Europe/Amsterdam"
            ) from exc

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for the report's header."""
        return {
            "timezone": self.timezone,
            "sla_response_hours": dict(self.sla_response_hours),
            "sla_resolution_hours": dict(self.sla_resolution_hours),
            "fcr_minutes": self.fcr_minutes,
            "min_group": self.min_group,
        }

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> InsightConfig:
        """From a dict with the field names above; unknown keys are an error."""
        known = set(cls.__dataclass_fields__)
        unknown = set(values) - known
        if unknown:
            raise ConfigError(
                f"insight config: unknown keys {sorted(unknown)}; use {sorted(known)}"
            )
        try:
            return cls(**dict(values))
        except TypeError as exc:
            raise ConfigError(f"insight config: {exc}") from exc

    @classmethod
    def from_yaml(cls, path: Path) -> InsightConfig:
        """From a YAML file with the field names above."""
        import yaml

        if not path.is_file():
            raise ConfigError(f"{path}: no such insight config file")
        try:
            values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: expected a mapping of settings at the top level")
        return cls.from_mapping(values)
