"""The desired-bundle row: the bundle every worker of a deployment serves (newest row wins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from triage.dataset import as_utc
from triage.store.codec import new_id
from triage.store.tables import desired_bundle


@dataclass(frozen=True, slots=True)
class DesiredBundle:
    """A reload request: `generation` grows with every request."""

    generation: int
    bundle_dir: str
    requested_at: datetime


def request(engine: Engine, bundle_dir: str) -> DesiredBundle:
    """Record that every worker should serve `bundle_dir` from now on."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        inserted = conn.execute(
            desired_bundle.insert(), {"bundle_dir": bundle_dir, "requested_at": now}
        )
    return DesiredBundle(new_id(inserted), bundle_dir, now)


def current(engine: Engine) -> DesiredBundle | None:
    """The newest request, or None when no reload was ever requested."""
    query = sa.select(desired_bundle).order_by(desired_bundle.c.generation.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        return None
    return DesiredBundle(int(row["generation"]), row["bundle_dir"], as_utc(row["requested_at"]))
