"""Ingestion: read any ticket export through a column mapping onto the ticket model, no row lost."""

from triage.ingest.dedup import DuplicateFinder, DuplicatePair
from triage.ingest.mapping import FieldSpec, Mapping, load_mapping, parse_mapping, preset_names
from triage.ingest.pipeline import (
    IngestResult,
    import_file,
    iter_outcomes,
    read_tickets,
    validate_file,
)
from triage.ingest.readers import SourceInfo, SourceRow, open_source
from triage.ingest.report import IngestReport, RowError
from triage.ingest.rows import CODES, RowConverter

__all__ = [
    "CODES",
    "DuplicateFinder",
    "DuplicatePair",
    "FieldSpec",
    "IngestReport",
    "IngestResult",
    "Mapping",
    "RowConverter",
    "RowError",
    "SourceInfo",
    "SourceRow",
    "import_file",
    "iter_outcomes",
    "load_mapping",
    "open_source",
    "parse_mapping",
    "preset_names",
    "read_tickets",
    "validate_file",
]
