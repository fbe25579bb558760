"""`FeedbackStore`: what the service and the CLI need from a store, whatever the database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.engine import Engine

from triage.store.desired import DesiredBundle
from triage.store.records import (
    ApiKey,
    FeedbackRecord,
    PredictionLabels,
    PredictionRecord,
    ResolvedRecord,
    TicketWrite,
)
from triage.store.ticket_log import LogEntry


class FeedbackStore(Protocol):
    """Where the service keeps what it predicted and what people did with it."""

    # Erasure, retention and the lead reports run set-wise SQL over several tables
    # (`triage.store.erasure`, `triage.store.report`): the store is SQL by design.
    engine: Engine

    def record_predictions(self, records: Sequence[PredictionRecord]) -> None: ...

    def has_prediction(self, prediction_id: str) -> bool: ...

    def prediction_ticket_id(self, prediction_id: str) -> str | None: ...

    def record_feedback(self, record: FeedbackRecord) -> int: ...

    def record_resolved(self, record: ResolvedRecord, seen_writes: int | None = None) -> int: ...

    def add_key(self, key: ApiKey) -> None: ...

    def get_key(self, key_id: str) -> ApiKey | None: ...

    def iter_predictions(self, since: datetime | None = None) -> Iterator[PredictionRecord]: ...

    def iter_prediction_labels(
        self, since: datetime | None = None
    ) -> Iterator[PredictionLabels]: ...

    def recent_predictions(self, limit: int) -> list[PredictionRecord]: ...

    def iter_feedback(self, since: datetime | None = None) -> Iterator[FeedbackRecord]: ...

    def iter_resolved(self, since: datetime | None = None) -> Iterator[ResolvedRecord]: ...

    def ticket_log_head(self) -> int: ...

    def read_ticket_log(
        self, after: int, upto: int | None = None, since: datetime | None = None
    ) -> list[LogEntry]: ...

    def request_bundle(self, bundle_dir: str) -> DesiredBundle: ...

    def desired_bundle(self) -> DesiredBundle | None: ...

    def ticket_history(self, ticket_id: str) -> list[TicketWrite]: ...

    def count_feedback(self, key_id: str, since: datetime) -> int: ...

    def purge_feedback(self, key_id: str) -> int: ...

    def revoke_key(self, key_id: str) -> ApiKey: ...

    def last_revocation(self) -> datetime | None: ...

    def close(self) -> None: ...
