"""Live capture: threads learned from chat (`live_threads`), backfill cursors per channel (`backfill_cursors`) and
the scheduled refreshes' runs and leases (`scheduled_runs`).

Revision ID: 0004_live_capture
Revises: 0010_index_shipping
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_live_capture"
down_revision = "0010_index_shipping"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_threads",
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("live_threads") as batch:
        batch.create_index("ix_live_threads_channel", ["channel"])
        batch.create_index("ix_live_threads_status", ["status"])
    op.create_table(
        "backfill_cursors",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("cursor", sa.String(length=512), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "channel"),
    )
    op.create_table(
        "scheduled_runs",
        sa.Column("job", sa.String(length=128), nullable=False),
        sa.Column("last_run", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("job"),
    )


def downgrade() -> None:
    op.drop_table("scheduled_runs")
    op.drop_table("backfill_cursors")
    with op.batch_alter_table("live_threads") as batch:
        batch.drop_index("ix_live_threads_status")
        batch.drop_index("ix_live_threads_channel")
    op.drop_table("live_threads")
