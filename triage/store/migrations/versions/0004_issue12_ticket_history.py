"""Who wrote what: resolved-ticket history per key, feedback attributed to its key.

Revision ID: 0004_issue12_ticket_history
Revises: 0003_issue12_erasure_audit
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_issue12_ticket_history"
down_revision = "0003_issue12_erasure_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_history",
        sa.Column("history_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("resolved_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        # version 1 is the first writer (the owner); two first writes at once cannot both land
        sa.UniqueConstraint("ticket_id", "version", name="uq_ticket_history_version"),
    )
    with op.batch_alter_table("feedback") as batch:  # SQLite cannot ALTER in place
        batch.add_column(sa.Column("key_id", sa.String(32), nullable=True))
        batch.create_index("ix_feedback_key_id", ["key_id"])


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ix_feedback_key_id")
        batch.drop_column("key_id")
    op.drop_table("ticket_history")
