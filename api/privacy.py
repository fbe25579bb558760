"""Redaction at the service's edge: every ticket, query and comment before the batcher, the
store or the index, with the settings the loaded bundle was trained with."""

from __future__ import annotations

import json
import threading
from typing import Annotated, Any

import yaml
from fastapi import Depends, Request

from api.settings import Settings
from api.state import request_state
from triage.errors import ConfigError
from triage.privacy.erasure import ErasureRequest, apply_erasures, find_tickets
from triage.privacy.folders import remove_from_retriever
from triage.privacy.guard import TicketPrivacy


class ServicePrivacy:
    """The `TicketPrivacy` for the model serving now: the deployment's `TRIAGE_PRIVACY_CONFIG`
    when set, else the `privacy` section the bundle was trained with (so serving redacts as
    training did), else the defaults. Built once per distinct section (a reload to a bundle
    with other settings switches at once); the secret is read on first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._built: dict[str, TicketPrivacy] = {}
        self._deployment: dict[str, Any] | None = None
        self._deployment_read = False

    def for_manifest(self, manifest: dict[str, Any] | None) -> TicketPrivacy:
        """The privacy of a bundle with this manifest (None: no model loaded)."""
        section = self._deployment_section() or _bundle_section(manifest)
        key = json.dumps(section, sort_keys=True, default=str)
        with self._lock:
            if key not in self._built:
                secret = self._settings.privacy_secret_file
                self._built[key] = TicketPrivacy.from_section(section, secret_file=secret)
            return self._built[key]

    def _deployment_section(self) -> dict[str, Any] | None:
        """`TRIAGE_PRIVACY_CONFIG`'s settings, read once (None when unset)."""
        if not self._deployment_read:
            self._deployment = self._read_deployment()
            self._deployment_read = True
        return self._deployment

    def _read_deployment(self) -> dict[str, Any] | None:
        path = self._settings.privacy_config
        if path is None:
            return None
        try:
            values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"TRIAGE_PRIVACY_CONFIG {path}: cannot be read ({exc})") from None
        if isinstance(values, dict) and "privacy" in values:
            values = values["privacy"] or {}
        if not isinstance(values, dict):
            raise ConfigError(f"TRIAGE_PRIVACY_CONFIG {path}: expected a mapping of settings")
        return {k: v for k, v in values.items() if k != "secret_file"}


def _bundle_section(manifest: dict[str, Any] | None) -> dict[str, Any]:
    """The training config's `privacy` section a bundle records (none in older bundles)."""
    config = (manifest or {}).get("config") or {}
    section = dict(config.get("privacy") or {})
    section.pop("secret_file", None)  # the service's own secret file decides
    return section


def get_privacy(request: Request) -> TicketPrivacy:
    """The privacy of the model serving now (defaults before any model is loaded)."""
    state = request_state(request)
    current = state.models.current
    return state.privacy.for_manifest(current.triager.manifest if current is not None else None)


PrivacyDep = Annotated[TicketPrivacy, Depends(get_privacy)]


def drop_erased(triager: Any, store: Any, settings: Settings) -> int:
    """Remove from a freshly loaded bundle's index every ticket erased before (the store keeps
    their keyed hashes), so an older bundle or a retrain on an old export never shows one, and
    every ticket older than the bundle's `privacy.retention_months`. How many went."""
    retriever = getattr(triager, "retriever", None)
    engine = getattr(store, "engine", None)
    if retriever is None or engine is None or not hasattr(retriever, "tickets"):
        return 0
    section = _bundle_section(getattr(triager, "manifest", None))
    privacy = TicketPrivacy.from_section(section, secret_file=settings.privacy_secret_file)
    dropped = apply_erasures(retriever, privacy, engine)
    if privacy.retention_months is not None:
        old = ErasureRequest(older_than_months=privacy.retention_months)
        dropped += remove_from_retriever(retriever, find_tickets(old, privacy, None, [retriever]))
    return dropped
