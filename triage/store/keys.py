"""API keys: `trk_<id>_<secret>`, created once, stored as a SHA-256, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from triage.errors import ConfigError
from triage.store.protocol import FeedbackStore
from triage.store.records import SCOPES, ApiKey

logger = logging.getLogger(__name__)

KEY_PREFIX = "trk"


def hash_key(plaintext: str) -> str:
    """SHA-256 hex of a presented key (keys are 256-bit random, so a fast hash is adequate)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


_DUMMY_HASH = hash_key("trk_000000000000_dummy")


def parse_key_id(plaintext: str) -> str | None:
    """The public key id of `trk_<id>_<secret>`, or None if the text is not shaped like a key."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def create_key(store: FeedbackStore, scopes: Sequence[str], name: str = "") -> tuple[str, ApiKey]:
    """Issue a key: returns the plaintext (shown once, never stored) and the stored record."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ConfigError(
            f"scopes {sorted(unknown) or '(none)'} invalid; use one or more of {SCOPES}"
        )
    key_id = secrets.token_hex(6)
    plaintext = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    key = ApiKey(key_id, hash_key(plaintext), frozenset(scopes), name, datetime.now(UTC))
    store.add_key(key)
    logger.info("created API key %s with scopes %s", key_id, sorted(scopes))
    return plaintext, key


def verify_key(store: FeedbackStore, plaintext: str) -> ApiKey | None:
    """The stored key matching a presented one (constant-time hash comparison), else None."""
    key_id = parse_key_id(plaintext)
    stored = store.get_key(key_id) if key_id else None
    expected = stored.key_hash if stored else _DUMMY_HASH
    matches = hmac.compare_digest(expected, hash_key(plaintext))
    if stored is None or not matches or stored.revoked_at is not None:
        return None
    return stored


def ensure_dev_key(store: FeedbackStore, path: Path) -> Path:
    """Write an admin development key to `path` once (mode 0600); later calls keep the file
    while the store still knows the key (a fresh database gets a fresh key in the same file).

    Logs where the key is, never the key itself.
    """
    existing = path.read_text().strip() if path.is_file() else ""
    if existing and verify_key(store, existing) is not None:
        logger.info("development API key in %s", path)
        return path
    plaintext, _ = create_key(store, ["admin"], name="development key")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(plaintext + "\n")
    logger.warning("created a development API key (scope admin) in %s", path)
    return path
