"""The store's SQL tables, for queries; the migrations in `migrations/` create them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
"""Must describe the schema the migrations build (a test compares them with Alembic)."""

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("key_id", sa.String(32), primary_key=True),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("scopes", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)
predictions = sa.Table(
    "predictions",
    metadata,
    sa.Column("prediction_id", sa.String(32), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("model_version", sa.String(200), nullable=False),
    sa.Column("ticket_id", sa.String(200), nullable=False, index=True),
    sa.Column("ticket", sa.JSON, nullable=False),
    sa.Column("labels", sa.JSON, nullable=False),
)
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("feedback_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "prediction_id",
        sa.String(32),
        sa.ForeignKey("predictions.prediction_id"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("corrections", sa.JSON, nullable=False),
    sa.Column("solved_by_ticket_id", sa.String(200), nullable=True),
    sa.Column("kb_article_id", sa.String(200), nullable=True),
    sa.Column("kb_helpful", sa.Boolean, nullable=True),
    sa.Column("agent", sa.String(200), nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("key_id", sa.String(32), nullable=True, index=True),
)
resolved_tickets = sa.Table(
    "resolved_tickets",
    metadata,
    sa.Column("resolved_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(200), nullable=False, index=True),
    sa.Column("prediction_id", sa.String(32), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ticket", sa.JSON, nullable=False),
)
ticket_log = sa.Table(
    "ticket_log",
    metadata,
    sa.Column("log_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "resolved_id",
        sa.Integer,
        sa.ForeignKey("resolved_tickets.resolved_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
"""Resolved tickets in commit order (ids never skip back): what every worker tails."""
desired_bundle = sa.Table(
    "desired_bundle",
    metadata,
    sa.Column("generation", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("bundle_dir", sa.String(1000), nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
)
"""Reload requests; the newest row is the bundle every worker serves."""
erasure_audit = sa.Table(
    "erasure_audit",
    metadata,
    sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("subject_hash", sa.String(64), nullable=False),
    sa.Column("tickets", sa.Integer, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
)
"""One row per erasure: who, when, what kind (`requester`, `ticket`, `retention`), a keyed hash
of the subject, how many tickets and rows per store. Never the personal data itself."""
erased_tickets = sa.Table(
    "erased_tickets",
    metadata,
    sa.Column("ticket_hash", sa.String(64), primary_key=True),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
)
"""Keyed hashes of erased ticket ids: every bundle the service loads drops these tickets, so an
erased ticket never comes back from an older bundle or a retrain on an old export."""
ticket_history = sa.Table(
    "ticket_history",
    metadata,
    sa.Column("history_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("key_id", sa.String(32), nullable=True),
    sa.Column("resolved_id", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("ticket_id", "version", name="uq_ticket_history_version"),
)
"""Every write of a resolved ticket with the key that made it; version 1 is the owner."""
incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("incident_id", sa.String(64), primary_key=True),
    sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("alert_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_by", sa.String(200), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
)
"""Emerging incidents alerted (issue 13): one row per burst, whichever worker saw it first."""
incident_tickets = sa.Table(
    "incident_tickets",
    metadata,
    sa.Column("ticket_id", sa.String(200), primary_key=True),
    sa.Column(
        "incident_id",
        sa.String(64),
        sa.ForeignKey("incidents.incident_id"),
        nullable=False,
        index=True,
    ),
)
"""A ticket belongs to at most one claimed incident: the primary key is what de-duplicates
alerts when several workers' monitors see the same burst."""
