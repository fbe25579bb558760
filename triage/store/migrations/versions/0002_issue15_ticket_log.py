"""Shared state of the workers: the resolved-ticket log they tail, the bundle they all serve.

Revision ID: 0002_issue15_ticket_log
Revises: 0001_initial
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_issue15_ticket_log"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ticket_log",
        sa.Column("log_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "resolved_id",
            sa.Integer,
            sa.ForeignKey("resolved_tickets.resolved_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_ticket_log_resolved_id", "ticket_log", ["resolved_id"])
    # Tickets resolved before this revision enter the log in their order, so a replay still
    # finds them.
    op.execute(
        "INSERT INTO ticket_log (resolved_id, created_at) "
        "SELECT resolved_id, created_at FROM resolved_tickets ORDER BY resolved_id"
    )
    op.create_table(
        "desired_bundle",
        sa.Column("generation", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("bundle_dir", sa.String(1000), nullable=False),
        sa.Column("requested_at", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("desired_bundle")
    op.drop_table("ticket_log")
