"""Initial schema: API keys, predictions, feedback, resolved tickets.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
    )
    op.create_table(
        "predictions",
        sa.Column("prediction_id", sa.String(32), primary_key=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("ticket_id", sa.String(200), nullable=False),
        sa.Column("ticket", sa.JSON, nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
    )
    op.create_index("ix_predictions_ticket_id", "predictions", ["ticket_id"])
    op.create_table(
        "feedback",
        sa.Column("feedback_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "prediction_id",
            sa.String(32),
            sa.ForeignKey("predictions.prediction_id"),
            nullable=False,
        ),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("corrections", sa.JSON, nullable=False),
        sa.Column("solved_by_ticket_id", sa.String(200), nullable=True),
        sa.Column("kb_article_id", sa.String(200), nullable=True),
        sa.Column("kb_helpful", sa.Boolean, nullable=True),
        sa.Column("agent", sa.String(200), nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
    )
    op.create_index("ix_feedback_prediction_id", "feedback", ["prediction_id"])
    op.create_table(
        "resolved_tickets",
        sa.Column("resolved_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(200), nullable=False),
        sa.Column("prediction_id", sa.String(32), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("ticket", sa.JSON, nullable=False),
    )
    op.create_index("ix_resolved_tickets_ticket_id", "resolved_tickets", ["ticket_id"])


def downgrade() -> None:
    op.drop_table("resolved_tickets")
    op.drop_table("feedback")
    op.drop_table("predictions")
    op.drop_table("api_keys")
