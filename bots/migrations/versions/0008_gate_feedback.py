"""The answer gate learns from use: its steps (raised / lowered / reset), each with the labels it was decided on.

Revision ID: 0008_gate_feedback
Revises: 0004_live_capture
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_gate_feedback"
down_revision = "0004_live_capture"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gate_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("after", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("offset", sa.Float(), nullable=False),
        sa.Column("previous", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("labels", sa.Integer(), nullable=False),
        sa.Column("precision", sa.Float(), nullable=True),
        sa.Column("by", sa.String(length=128), nullable=False),
        sa.UniqueConstraint("after", name="uq_gate_steps_after"),
    )
    op.create_index("ix_gate_steps_created_at", "gate_steps", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_gate_steps_created_at", table_name="gate_steps")
    op.drop_table("gate_steps")
