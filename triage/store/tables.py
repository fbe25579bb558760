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
