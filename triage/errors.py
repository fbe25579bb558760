"""Typed errors of the core library; each message says what went wrong and what to do."""

from __future__ import annotations


class TriageError(Exception):
    """Base of every error `triage` raises on purpose (bad input, bad config, bad artifact)."""


class TicketValueError(TriageError, ValueError):
    """A ticket or article field holds a value the domain model does not allow."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class DataError(TriageError):
    """An input file cannot be read (missing, empty, wrong encoding, unknown format)."""


class MappingError(TriageError):
    """A column mapping file is invalid or does not fit the export it is applied to."""


class RowRejected(TriageError):
    """One input row cannot become a ticket; carries the source line and a machine-readable code."""

    def __init__(self, line: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.code = code
        self.field = field
        self.reason = message


class ConfigError(TriageError):
    """A configuration file or value is invalid."""


class BundleError(TriageError):
    """A model bundle is missing, incomplete, tampered with or incompatible."""


class VectorIndexError(TriageError):
    """A vector index is corrupt, incompatible or used wrongly."""


class FeedbackStoreError(TriageError):
    """The feedback database cannot be opened, is at an unknown schema or refused a write."""


class StoreBusyError(FeedbackStoreError):
    """The database stayed locked, in conflict or unreachable through every retry (transient)."""

    def __init__(self, operation: str, message: str) -> None:
        super().__init__(message)
        self.operation = operation


class NotFoundError(TriageError):
    """A referenced object (ticket, article, prediction, model version) does not exist."""


class WriteConflict(FeedbackStoreError):
    """Another write changed the same record between our read and our write: send it again."""


class OutputError(TriageError):
    """An output path cannot be written: it holds something triage did not write, overlaps an
    input of the same command, is the current folder, or lies where nothing can be written."""
