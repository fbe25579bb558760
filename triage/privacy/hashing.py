"""Keyed pseudonyms: identifiers that must stay matchable but not readable (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from triage.errors import ConfigError

MIN_SECRET_BYTES = 16
"""Shorter deployment secrets are refused: a short key could be brute-forced with the values."""

_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PSEUDONYM = re.compile(r"[0-9a-f]{64}")
DEFAULT_SECRET_FILE = Path(".triage/privacy-secret")
"""Where the service and the CLI keep the deployment secret unless told otherwise."""


def is_pseudonym(value: str | None) -> bool:
    """Whether `value` has the shape of a pseudonym (64 lower-case hex characters), so a
    ticket redacted twice keeps its requester's pseudonym instead of hashing it again."""
    return value is not None and _PSEUDONYM.fullmatch(value) is not None


class Pseudonymizer:
    """Stable HMAC-SHA256 pseudonyms under one deployment secret.

    The same identifier gives the same pseudonym in every process of the deployment (so an
    erasure request can find a requester's tickets, and the embedding cache can key texts),
    but without the secret nobody can test a guess ("is this j.devries@...?"), which an
    unsalted SHA-256 of a short identifier allows."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"privacy secret: {len(secret)} bytes is too short; use at least "
                f"{MIN_SECRET_BYTES} random bytes (e.g. `Pseudonymizer.new_secret()`)"
            )
        self._secret = secret

    def hash(self, value: str, purpose: str = "id") -> str:
        """Hex HMAC-SHA256 (64 characters) of `purpose` and `value`; a different `purpose`
        ("requester", "cache") gives unrelated pseudonyms for the same value."""
        message = f"{purpose}\x1f{value}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def requester(self, requester: str) -> str:
        """The pseudonym of a requester: of the e-mail address when the field has one
        (case-insensitive), else of the name (case and spacing ignored). A pseudonym is
        returned as it is (redaction is idempotent)."""
        if is_pseudonym(requester):
            return requester
        return self.hash(requester_key(requester), purpose="requester")

    @staticmethod
    def new_secret() -> bytes:
        """32 random bytes from the operating system's generator."""
        return secrets.token_bytes(32)


def requester_key(requester: str) -> str:
    """The normalised identity of a requester field: its e-mail address, lower-cased, else its
    name, case-folded with single spaces (`Sanne de Vries <S.deVries@x.example>` ->
    `s.devries@x.example`)."""
    address = _ADDRESS.search(requester)
    if address:
        return address.group(0).casefold()
    return " ".join(requester.casefold().split())


def load_secret(path: Path) -> bytes:
    """The deployment secret stored in `path`, created with 32 random bytes (mode 0600) when
    missing; processes starting together agree on one (the file is linked into place whole).
    Keep it out of backups that leave the deployment: with it, pseudonyms can be tested."""
    if not path.exists():
        _create_secret(path)
    secret = path.read_bytes()
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigError(f"{path}: the privacy secret is {len(secret)} bytes; expected 32")
    return secret


def _create_secret(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(Pseudonymizer.new_secret())
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)  # fails if another process got there first: theirs wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
