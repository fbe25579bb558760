"""Training redacts before the split: the `privacy:` config section, retention, the manifest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pii import PLANTED_TEXT, REQUESTER, scan_text
from tiny_data import make_tickets, tiny_config

from training.pipeline import private_tickets
from triage.errors import ConfigError
from triage.privacy.hashing import is_pseudonym


def test_privacy_config_section_is_strict_and_checked() -> None:
    config = tiny_config(privacy={"kinds": ["EMAIL"], "retention_months": 6})
    assert config.privacy.kinds == ["EMAIL"] and config.privacy.retention_months == 6
    assert config.resolved()["privacy"]["kinds"] == ["EMAIL"]  # what the manifest records
    with pytest.raises(ConfigError, match="privacy"):
        tiny_config(privacy={"kinds": ["NAMES"]})
    with pytest.raises(ConfigError, match="privacy"):
        tiny_config(privacy={"unknown": 1})


def test_private_tickets_redacts_and_pseudonymises_before_the_split(tmp_path: Path) -> None:
    config = tiny_config(privacy={"secret_file": str(tmp_path / "secret")})
    tickets = [t.replace(requester=REQUESTER, body=PLANTED_TEXT) for t in make_tickets(5)]
    private = private_tickets(config, tickets)
    assert all(scan_text(f"{t.text} {t.solution}") == [] for t in private)
    assert all(t.requester is not None and is_pseudonym(t.requester) for t in private)
    assert len({t.requester for t in private}) == 1  # one person, one pseudonym


def test_private_tickets_applies_the_retention(tmp_path: Path) -> None:
    months = (datetime.now(UTC) - datetime(2025, 1, 1, tzinfo=UTC)).days // 30 - 1
    privacy = {"secret_file": str(tmp_path / "secret"), "retention_months": months}
    tickets = make_tickets(240)  # hourly from 2025-01-01: all older than the retention
    assert private_tickets(tiny_config(privacy=privacy), tickets) == []
    assert (
        len(private_tickets(tiny_config(privacy={"secret_file": str(tmp_path / "s")}), tickets))
        == 240
    )
