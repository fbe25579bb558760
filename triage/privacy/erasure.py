"""Erasure and retention across every store: the database, an index or bundle folder, the live
index, the embedding cache; an audit row without personal data."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from triage.errors import ConfigError
from triage.model_io import MODEL_FILES
from triage.privacy.folders import (
    erase_from_folder,
    erase_in_artifacts,
    forget_in_cache_dir,
    open_folder_index,
    remove_from_retriever,
)
from triage.privacy.guard import TicketPrivacy, retention_cutoff
from triage.privacy.hashing import is_pseudonym, requester_key
from triage.schema import Ticket
from triage.store import erasure as store_erasure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureRequest:
    """Whose data goes: one requester (every ticket of theirs), named tickets, or (retention)
    every ticket created more than `older_than_months` months ago. Exactly one is given."""

    requester: str | None = None
    ticket_ids: tuple[str, ...] = ()
    older_than_months: int | None = None

    def __post_init__(self) -> None:
        given = [bool(self.requester), bool(self.ticket_ids), self.older_than_months is not None]
        if sum(given) != 1:
            raise ConfigError(
                "erasure: give exactly one of a requester, ticket ids or a retention in months "
                "(e.g. `triage privacy erase --requester s.devries@example.nl`)"
            )
        if self.older_than_months is not None and self.older_than_months < 1:
            raise ConfigError("erasure: retention must be at least 1 month")

    @property
    def kind(self) -> str:
        """`requester`, `ticket` or `retention`."""
        if self.requester:
            return "requester"
        return "ticket" if self.ticket_ids else "retention"

    def cutoff(self, now: datetime | None = None) -> datetime | None:
        """The oldest creation time a retention request keeps (None for the other kinds)."""
        return retention_cutoff(self.older_than_months, now)


@dataclass
class ErasureResult:
    """What one erasure did: how many tickets, rows per store; the audit row's id."""

    kind: str
    subject_hash: str
    ticket_ids: set[str]
    counts: dict[str, int] = field(default_factory=dict)
    audit_id: int | None = None

    def summary(self) -> dict[str, Any]:
        """JSON for the CLI and the API: counts only, never the ids or the person."""
        return {
            "kind": self.kind,
            "subject_hash": self.subject_hash,
            "tickets": len(self.ticket_ids),
            "counts": dict(sorted(self.counts.items())),
            "audit_id": self.audit_id,
        }


def subject_hash(request: ErasureRequest, privacy: TicketPrivacy) -> str:
    """A keyed hash of who or what was erased, for the audit: the requester's pseudonym, a hash
    of the ticket ids, or the retention in months (no personal data in that)."""
    if request.requester:
        return privacy.requester_hash(request.requester)
    if request.ticket_ids:
        joined = "\x1f".join(sorted(request.ticket_ids))
        return privacy.pseudonymizer.hash(joined, purpose="erasure")
    return f"retention-{request.older_than_months}-months"


def ticket_hash(ticket_id: str, privacy: TicketPrivacy) -> str:
    """The keyed hash an erased ticket id is remembered by."""
    return privacy.pseudonymizer.hash(ticket_id, purpose="ticket")


def requester_matcher(requester: str, privacy: TicketPrivacy) -> Callable[[str | None], bool]:
    """A test for a stored requester field: the person's pseudonym, or (rows stored before
    redaction) the same e-mail address or name."""
    pseudonym, key = privacy.requester_hash(requester), requester_key(requester)

    def matches(value: str | None) -> bool:
        if not value:
            return False
        return value == pseudonym or (not is_pseudonym(value) and requester_key(value) == key)

    return matches


def find_tickets(
    request: ErasureRequest,
    privacy: TicketPrivacy,
    engine: Engine | None = None,
    retrievers: Sequence[Any] = (),
) -> set[str]:
    """Ids of the tickets a request covers, in the store and in the given retrievers' indexes
    (whose metadata holds each ticket's requester pseudonym and creation time)."""
    if request.ticket_ids:
        return set(request.ticket_ids)
    found: set[str] = set()
    if request.requester:
        matches = requester_matcher(request.requester, privacy)
        if engine is not None:
            found |= store_erasure.tickets_of_requester(engine, matches)
        for retriever in retrievers:
            found |= _indexed_where(retriever, lambda m: matches(m.get("requester")))
        return found
    cutoff = request.cutoff()
    assert cutoff is not None  # a retention request always has one
    if engine is not None:
        found |= store_erasure.tickets_older_than(engine, cutoff)
    for retriever in retrievers:
        found |= _indexed_where(retriever, lambda m: _older(m.get("created_at"), cutoff))
    return found


def _older(created_at: str | None, cutoff: datetime) -> bool:
    if not created_at:
        return False
    stamp = datetime.fromisoformat(created_at)
    return stamp < cutoff if stamp.tzinfo else stamp < cutoff.replace(tzinfo=None)


def _indexed_where(retriever: Any, keep: Callable[[dict[str, Any]], bool]) -> set[str]:
    dense = retriever.tickets.dense
    return {item for item in dense.ids if keep(dense.metadata(item))}


def apply_erasures(retriever: Any, privacy: TicketPrivacy, engine: Engine) -> int:
    """Drop every ticket erased before from a freshly loaded index (an older bundle, a retrain
    on an old export): its id's keyed hash is in the store's erased list."""
    erased = store_erasure.erased_hashes(engine)
    if retriever is None or not erased:
        return 0
    doomed = [t for t in retriever.tickets.dense.ids if ticket_hash(t, privacy) in erased]
    return remove_from_retriever(retriever, doomed)


def erase_in_store(engine: Engine, ticket_ids: set[str]) -> tuple[dict[str, int], list[str]]:
    """Delete the tickets' rows; returns the counts and the texts they held (for the cache)."""
    texts = store_erasure.stored_texts(engine, ticket_ids)
    counts = store_erasure.delete_tickets(engine, ticket_ids)
    return counts, texts


def audit(
    request: ErasureRequest,
    privacy: TicketPrivacy,
    engine: Engine,
    result: ErasureResult,
    actor: str,
) -> ErasureResult:
    """Record the erasure (who, when, what kind, a keyed hash, counts) and the erased tickets'
    keyed hashes, so no bundle or replay brings them back."""
    hashes = {ticket_hash(t, privacy) for t in result.ticket_ids}
    result.audit_id = store_erasure.record_erasure(
        engine,
        actor=actor,
        kind=request.kind,
        subject_hash=result.subject_hash,
        ticket_hashes=hashes,
        counts=result.counts,
    )
    return result


def _logged_bundles(root: Path | None) -> list[Path]:
    if root is None or not Path(root).is_dir():
        return []
    manifests = sorted(Path(root).rglob("manifest.json"))
    return [m.parent for m in manifests if _has_model(m.parent)]


def in_source(
    request: ErasureRequest, privacy: TicketPrivacy, tickets: Sequence[Ticket]
) -> set[str]:
    """Ids of the (redacted) training tickets a request covers."""
    if request.ticket_ids:
        return {t.ticket_id for t in tickets if t.ticket_id in request.ticket_ids}
    if request.requester:
        matches = requester_matcher(request.requester, privacy)
        return {t.ticket_id for t in tickets if matches(t.requester)}
    cutoff = request.cutoff()
    assert cutoff is not None
    return {t.ticket_id for t in tickets if t.created_at is not None and t.created_at < cutoff}


def erase(
    request: ErasureRequest,
    privacy: TicketPrivacy,
    engine: Engine,
    *,
    folders: Sequence[Path] = (),
    cache_dir: Path | None = None,
    artifacts: Path | None = None,
    source: Sequence[Ticket] = (),
    actor: str,
) -> ErasureResult:
    """Erase what `request` covers from the store, the index of each bundle or index folder in
    `folders` (rewritten atomically, still loadable), the embedding cache (the texts stored
    and those of the `source` training tickets, redacted as training redacts them) and a local
    MLflow artifact store (`artifacts`); audit it. The tickets are found in all of these."""
    found_in = [*folders, *_logged_bundles(artifacts)]
    indexes = [r for r in (open_folder_index(Path(f)) for f in found_in) if r is not None]
    ids = find_tickets(request, privacy, engine, indexes) | in_source(request, privacy, source)
    result = ErasureResult(request.kind, subject_hash(request, privacy), ids)
    result.counts, texts = erase_in_store(engine, ids)
    result.counts["index_files"] = sum(erase_from_folder(Path(f), ids) for f in folders)
    texts += [t.text for t in source if t.ticket_id in ids]
    if cache_dir is not None:
        result.counts["cache_vectors"] = forget_in_cache_dir(cache_dir, privacy, texts)
    if artifacts is not None:
        result.counts.update(erase_in_artifacts(artifacts, ids))
    return audit(request, privacy, engine, result, actor)


def _has_model(folder: Path) -> bool:
    """A bundle folder: it holds a model file (skops now, a joblib pickle in older bundles)."""
    return any((folder / name).is_file() for name in MODEL_FILES)
