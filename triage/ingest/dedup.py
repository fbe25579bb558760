"""Duplicate flagging while streaming: exact (text fingerprint) and near-exact (MinHash LSH)."""

from __future__ import annotations

import hashlib
import logging
import zlib
from dataclasses import dataclass
from typing import Any

from triage.text import normalise_for_fingerprint

logger = logging.getLogger(__name__)

NUM_PERM = 64
SHINGLE_WORDS = 3


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """`ticket_id` (at source `line`) repeats the earlier `duplicate_of`; `kind` exact or near."""

    ticket_id: str
    duplicate_of: str
    kind: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the JSON report."""
        return {
            "ticket_id": self.ticket_id,
            "duplicate_of": self.duplicate_of,
            "kind": self.kind,
            "line": self.line,
        }


def shingles(normalised: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """Word `size`-grams of a normalised text (see `normalise_for_fingerprint`); the whole text
    when it has `size` words or fewer."""
    words = normalised.split()
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def lsh_params(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """Bands and rows per band minimising false positives + false negatives around `threshold`."""
    steps = 200

    def area(b: int, r: int, lo: float, hi: float, above: bool) -> float:
        xs = [lo + (hi - lo) * (i + 0.5) / steps for i in range(steps)]
        ps = [1 - (1 - x**r) ** b for x in xs]
        return sum((1 - p) if above else p for p in ps) * (hi - lo) / steps

    best = min(
        ((b, num_perm // b) for b in range(1, num_perm + 1)),
        key=lambda br: (
            area(br[0], br[1], 0.0, threshold, False) + area(br[0], br[1], threshold, 1.0, True)
        ),
    )
    return best


class DuplicateFinder:
    """Flags each text that repeats an earlier one; keeps only hashes, never texts.

    Exact: equal `text_fingerprint`. Near: word 3-gram shingles hashed into a datasketch MinHash
    (64 permutations) and banded LSH (`lsh_params`), so a text whose estimated Jaccard similarity to
    an earlier one is >= `threshold` is flagged with high probability (a candidate is not verified
    further). Memory is about 0.3 KB per distinct text; `threshold=None` turns near-duplicates off.
    """

    def __init__(self, threshold: float | None = 0.9) -> None:
        self.threshold = threshold
        self._exact: dict[bytes, str] = {}
        self._bands: list[dict[bytes, str]] = []
        self._rows = 0
        self._minhash: Any = None
        if threshold is not None:
            from datasketch import MinHash

            bands, self._rows = lsh_params(threshold)
            self._bands = [{} for _ in range(bands)]
            self._minhash = MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32)

    def check(self, ticket_id: str, text: str, line: int) -> DuplicatePair | None:
        """Record one text; the pair if it duplicates an earlier one, else None."""
        normalised = normalise_for_fingerprint(text)
        digest = hashlib.blake2b(normalised.encode("utf-8"), digest_size=12).digest()
        first = self._exact.get(digest)
        if first is not None:
            return DuplicatePair(ticket_id, first, "exact", line)
        self._exact[digest] = ticket_id
        if not self._bands:
            return None
        return self._check_near(ticket_id, normalised, line)

    def _band_keys(self, normalised: str) -> list[bytes]:
        grams = shingles(normalised)
        if not grams:
            return []
        minhash = self._minhash  # one MinHash reused: creating one per text costs more than hashing
        minhash.clear()
        minhash.update_batch(grams)
        values = minhash.hashvalues
        r = self._rows
        return [
            hashlib.blake2b(values[i * r : (i + 1) * r].tobytes(), digest_size=8).digest()
            for i in range(len(self._bands))
        ]

    def _check_near(self, ticket_id: str, normalised: str, line: int) -> DuplicatePair | None:
        keys = self._band_keys(normalised)
        for table, key in zip(self._bands, keys, strict=True):
            first = table.get(key)
            if first is not None:
                return DuplicatePair(ticket_id, first, "near", line)
        for table, key in zip(self._bands, keys, strict=True):
            table[key] = ticket_id
        return None
