"""Erasure: an audit of every erasure (no personal data) and the keyed hashes of erased tickets.

Revision ID: 0003_issue12_erasure_audit
Revises: 0002_issue15_ticket_log
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_issue12_erasure_audit"
down_revision = "0002_issue15_ticket_log"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "erasure_audit",
        sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_hash", sa.String(64), nullable=False),
        sa.Column("tickets", sa.Integer, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
    )
    op.create_table(
        "erased_tickets",
        sa.Column("ticket_hash", sa.String(64), primary_key=True),
        sa.Column("erased_at", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erased_tickets")
    op.drop_table("erasure_audit")
