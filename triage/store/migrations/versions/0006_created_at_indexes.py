"""Indexes on `created_at` of predictions, feedback and resolved tickets: the console's "latest
20", the lead view's week and the reports read a time window, which was a full table scan.

Revision ID: 0006_created_at_indexes
Revises: 0005_issue13_incidents
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0006_created_at_indexes"
down_revision = "0005_issue13_incidents"
branch_labels = None
depends_on = None

_TABLES = ("predictions", "feedback", "resolved_tickets")


def upgrade() -> None:
    for table in _TABLES:
        op.create_index(f"ix_{table}_created_at", table, ["created_at"])


def downgrade() -> None:
    for table in _TABLES:
        op.drop_index(f"ix_{table}_created_at", table_name=table)
