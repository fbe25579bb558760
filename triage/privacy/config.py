"""What a deployment redacts: detectors, placeholder style, phone region, names, allow-list."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import phonenumbers
import yaml

from triage.errors import ConfigError
from triage.privacy.spans import Kind, Style


class Names(enum.StrEnum):
    """How unknown person names are found: `off`, or `context` (titles, closings,
    introductions, phone notes; see `names.find_context_names`). The requester's own name is
    removed either way. `deduce` and `presidio-analyzer` were measured and left out
    (BENCHMARKS.md, Privacy): deduce pins `regex<2025`, which breaks transformers, and holds
    1.1 GB; presidio needs a spaCy model that PyPI does not carry for Dutch."""

    OFF = "off"
    CONTEXT = "context"


DEFAULT_KINDS: frozenset[Kind] = frozenset(Kind) - {Kind.HOST}
"""Everything but host names: hosts name machines, not people, and make IT tickets findable."""


@dataclass(frozen=True, slots=True)
class RedactionConfig:
    """One deployment's redaction settings; `from_mapping` reads them from a YAML/JSON mapping.

    `kinds` are the detectors that run (PERSON covers the requester's known name and, unless
    `names` is `off`, unknown names). `allow` holds terms never redacted (product or host
    names, the service desk's own phone number), compared case-insensitively."""

    kinds: frozenset[Kind] = DEFAULT_KINDS
    style: Style = Style.ANGLE
    region: str = "NL"
    names: Names = Names.CONTEXT
    allow: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.region not in phonenumbers.SUPPORTED_REGIONS:
            raise ConfigError(
                f"privacy.region: {self.region!r} is no phone region; use an ISO 3166 code "
                "such as NL, BE or DE"
            )
        object.__setattr__(self, "allow", frozenset(a.casefold() for a in self.allow))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RedactionConfig:
        """Settings from a mapping (`kinds: [EMAIL, PHONE]`, `style: angle`, `region: NL`,
        `names: context`, `allow: [srv-fin-07]`); an unknown key or value is a ConfigError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"privacy: unknown setting(s) {unknown}; known: {sorted(known)}")
        try:
            return cls(**{k: _convert(k, v) for k, v in values.items()})
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"privacy: {exc}") from None

    def summary(self) -> dict[str, Any]:
        """The settings as plain JSON values (for a CLI summary or a run's parameters)."""
        return {
            "kinds": sorted(self.kinds),
            "style": str(self.style),
            "region": self.region,
            "names": str(self.names),
            "allow": sorted(self.allow),
        }


def _convert(key: str, value: Any) -> Any:
    if key == "kinds":
        return frozenset(Kind(str(v).upper()) for v in value)
    if key == "allow":
        return frozenset(str(v) for v in value)
    if key == "style":
        return Style(str(value))
    if key == "names":
        return Names(str(value))
    return str(value)


def load_config(path: Path) -> RedactionConfig:
    """Settings from a YAML file holding the mapping `from_mapping` reads (a top-level
    `privacy:` key is accepted too, so the section of a larger deployment file works)."""
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the privacy settings ({exc})") from None
    if isinstance(values, dict) and set(values) == {"privacy"}:
        values = values["privacy"] or {}
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: expected a mapping of privacy settings")
    return RedactionConfig.from_mapping(values)
