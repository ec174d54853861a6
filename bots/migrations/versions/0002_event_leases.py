"""Handled events become an inbox: taken with a lease, finished after the reply, re-taken if the taker died.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handled_events") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="done"))
        batch.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch.create_index("ix_handled_events_status", ["status"])


def downgrade() -> None:
    with op.batch_alter_table("handled_events") as batch:
        batch.drop_index("ix_handled_events_status")
        batch.drop_column("payload")
        batch.drop_column("lease_until")
        batch.drop_column("status")
