"""API keys: only the exact key verifies, admin holds every scope, the dev key file is private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from triage.errors import ConfigError
from triage.store.keys import create_key, ensure_dev_key, parse_key_id, verify_key
from triage.store.sql import SqlFeedbackStore, open_store


def test_store_keys_verify_only_the_exact_key(store: SqlFeedbackStore) -> None:
    plaintext, key = create_key(store, ["agent"], "tester")
    assert key.key_hash != plaintext and plaintext not in key.key_hash
    found = verify_key(store, plaintext)
    assert found is not None and found.allows("agent") and not found.allows("admin")
    assert verify_key(store, plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
    assert verify_key(store, "not-a-key") is None
    with pytest.raises(ConfigError, match="scopes"):
        create_key(store, ["root"])


def test_store_keys_parse_only_the_key_shape() -> None:
    assert parse_key_id("trk_0a1b2c_secret_with_underscores") == "0a1b2c"
    assert parse_key_id("trk__secret") is None and parse_key_id("abc_0a1b2c_secret") is None


def test_store_admin_key_holds_every_scope(store: SqlFeedbackStore) -> None:
    _, key = create_key(store, ["admin"])
    assert all(key.allows(s) for s in ("triage", "agent", "admin"))


def test_store_dev_key_is_written_once_private(store: SqlFeedbackStore, tmp_path: Path) -> None:
    path = tmp_path / ".triage" / "dev-api-key"
    ensure_dev_key(store, path)
    first = path.read_text()
    ensure_dev_key(store, path)
    assert path.read_text() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = verify_key(store, first.strip())
    assert key is not None and "admin" in key.scopes


def test_store_dev_key_is_renewed_for_a_fresh_database(
    store: SqlFeedbackStore, tmp_path: Path
) -> None:
    path = tmp_path / "dev-api-key"
    ensure_dev_key(store, path)
    stale = path.read_text().strip()
    fresh_store = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        ensure_dev_key(fresh_store, path)
        renewed = path.read_text().strip()
        assert renewed != stale
        assert verify_key(fresh_store, renewed) is not None
    finally:
        fresh_store.close()
