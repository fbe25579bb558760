"""Emerging incidents claimed by one worker: an incident and the tickets that raised it.

Revision ID: 0005_issue13_incidents
Revises: 0004_issue12_ticket_history
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_issue13_incidents"
down_revision = "0004_issue12_ticket_history"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.String(64), primary_key=True),
        sa.Column("first_at", _TS, nullable=False),
        sa.Column("alert_at", _TS, nullable=False),
        sa.Column("claimed_at", _TS, nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
    )
    op.create_table(
        "incident_tickets",
        sa.Column("ticket_id", sa.String(200), primary_key=True),
        sa.Column(
            "incident_id",
            sa.String(64),
            sa.ForeignKey("incidents.incident_id"),
            nullable=False,
        ),
    )
    op.create_index("ix_incident_tickets_incident_id", "incident_tickets", ["incident_id"])


def downgrade() -> None:
    op.drop_table("incident_tickets")
    op.drop_table("incidents")
