"""Training data: labels per target, deduplication, time or stratified splits, fingerprints."""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sklearn.model_selection import train_test_split

from training.config import SplitConfig
from triage.schema import Ticket

logger = logging.getLogger(__name__)

_SPACE = re.compile(r"\s+")


def label_of(ticket: Ticket, target: str) -> str | None:
    """The ticket's label for a target as a string ("P2", "2", "Network"), None when unlabelled."""
    value = getattr(ticket, target)
    if value is None:
        return None
    if target == "support_line":
        return str(int(value))
    return str(getattr(value, "value", value))


def labels(tickets: Sequence[Ticket], target: str) -> list[str | None]:
    return [label_of(t, target) for t in tickets]


def _norm_key(ticket: Ticket) -> str:
    text = _SPACE.sub(" ", ticket.text.lower()).strip()
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def dedupe(tickets: Sequence[Ticket]) -> tuple[list[Ticket], int]:
    """Tickets without repeats of the same normalised text (first kept), and how many went."""
    seen: set[str] = set()
    kept = []
    for ticket in tickets:
        key = _norm_key(ticket)
        if key not in seen:
            seen.add(key)
            kept.append(ticket)
    return kept, len(tickets) - len(kept)


def fingerprint(tickets: Sequence[Ticket], targets: Sequence[str]) -> str:
    """SHA-256 over ids, texts and labels in id order: the same data gives the same fingerprint."""
    digest = hashlib.sha256()
    for ticket in sorted(tickets, key=lambda t: t.ticket_id):
        parts = [ticket.ticket_id, ticket.text, *(label_of(ticket, t) or "" for t in targets)]
        digest.update("\x1f".join(parts).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


@dataclass(frozen=True)
class Split:
    """Train / validation / test tickets and how they were made."""

    train: list[Ticket]
    val: list[Ticket]
    test: list[Ticket]
    method: str
    duplicates_removed: int

    def sizes(self) -> dict[str, int]:
        return {
            "train": len(self.train),
            "val": len(self.val),
            "test": len(self.test),
            "duplicates_removed": self.duplicates_removed,
        }


def split_tickets(
    tickets: Sequence[Ticket], config: SplitConfig, seed: int, stratify: str | None
) -> Split:
    """Dedupe, then split: by time when asked and every ticket has `created_at`, else stratified."""
    data, removed = dedupe(tickets) if config.dedupe else (list(tickets), 0)
    if config.method == "time" and all(t.created_at is not None for t in data):
        return _time_split(data, config, removed)
    if config.method == "time":
        logger.warning("time split asked but some tickets have no created_at; splitting stratified")
    return _stratified_split(data, config, seed, stratify, removed)


def _time_split(data: list[Ticket], config: SplitConfig, removed: int) -> Split:
    ordered = sorted(
        data, key=lambda t: (t.created_at or datetime.min.replace(tzinfo=UTC), t.ticket_id)
    )
    n_test = max(1, round(len(ordered) * config.test_size))
    rest, test = ordered[:-n_test], ordered[-n_test:]
    n_val = max(1, round(len(rest) * config.val_size))
    return Split(rest[:-n_val], rest[-n_val:], test, "time", removed)


def _stratify_keys(data: list[Ticket], target: str | None) -> list[str] | None:
    if target is None:
        return None
    keys = [label_of(t, target) or "<none>" for t in data]
    counts = Counter(keys)
    return keys if min(counts.values()) >= 3 and len(counts) > 1 else None


def _stratified_split(
    data: list[Ticket], config: SplitConfig, seed: int, target: str | None, removed: int
) -> Split:
    keys = _stratify_keys(data, target)
    rest, test = train_test_split(
        data, test_size=config.test_size, random_state=seed, stratify=keys
    )
    rest_keys = _stratify_keys(rest, target)
    train, val = train_test_split(
        rest, test_size=config.val_size, random_state=seed, stratify=rest_keys
    )
    return Split(list(train), list(val), list(test), "stratified", removed)
