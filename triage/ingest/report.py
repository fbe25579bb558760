"""The ingestion report: counts, row-level rejections and flagged duplicates, as a plain dict."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from triage.errors import RowRejected
from triage.ingest.dedup import DuplicatePair


@dataclass(frozen=True, slots=True)
class RowError:
    """One rejected row: source line, machine-readable code, field (if one) and reason."""

    line: int
    code: str
    field: str | None
    reason: str

    @classmethod
    def from_rejection(cls, exc: RowRejected) -> RowError:
        """The error a `RowRejected` describes."""
        return cls(exc.line, exc.code, exc.field, exc.reason)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {"line": self.line, "code": self.code, "field": self.field, "reason": self.reason}


@dataclass(slots=True)
class IngestReport:
    """What happened to every row of one input file. Invariant: read == accepted + rejected.

    `duplicates` counts accepted rows flagged as exact or near duplicates of an earlier row (they
    are kept, not dropped). `errors` and `duplicate_pairs` keep at most `max_listed` entries
    (None: all); the counts are always complete.
    """

    source: str
    mapping: str
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    near_checked: bool = True
    """False when the mapping turned near-duplicate flagging off (`near_duplicates: null`)."""
    languages_detected: int = 0
    rejected_by_code: Counter[str] = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    duplicate_pairs: list[DuplicatePair] = field(default_factory=list)
    max_listed: int | None = None

    @property
    def duplicates(self) -> int:
        """Accepted rows flagged as duplicates (exact + near)."""
        return self.exact_duplicates + self.near_duplicates

    def add_rejection(self, exc: RowRejected) -> RowError:
        """Count one rejected row."""
        error = RowError.from_rejection(exc)
        self.read += 1
        self.rejected += 1
        self.rejected_by_code[error.code] += 1
        if self.max_listed is None or len(self.errors) < self.max_listed:
            self.errors.append(error)
        return error

    def add_accepted(self, pair: DuplicatePair | None) -> None:
        """Count one accepted row, flagged as a duplicate when `pair` is given."""
        self.read += 1
        self.accepted += 1
        if pair is None:
            return
        if pair.kind == "exact":
            self.exact_duplicates += 1
        else:
            self.near_duplicates += 1
        if self.max_listed is None or len(self.duplicate_pairs) < self.max_listed:
            self.duplicate_pairs.append(pair)

    def summary(self) -> str:
        """One line: read / accepted / rejected / duplicates."""
        near = f"near {self.near_duplicates:,}" if self.near_checked else "near not checked"
        return (
            f"read {self.read:,}, accepted {self.accepted:,}, rejected {self.rejected:,}, "
            f"duplicates {self.duplicates:,} (exact {self.exact_duplicates:,}, {near})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable report (what `import_report.json` and `--json` hold)."""
        return {
            "source": self.source,
            "mapping": self.mapping,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "exact_duplicates": self.exact_duplicates,
            "near_duplicates": self.near_duplicates,
            "near_checked": self.near_checked,
            "languages_detected": self.languages_detected,
            "rejected_by_code": dict(sorted(self.rejected_by_code.items())),
            "errors": [e.to_dict() for e in self.errors],
            "errors_listed": len(self.errors),
            "duplicate_pairs": [p.to_dict() for p in self.duplicate_pairs],
            "summary": self.summary(),
        }
