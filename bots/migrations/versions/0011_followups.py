"""Follow-ups in the thread (issue 17): the conversation the bot keeps for each thread it answered.

Revision ID: 0011_followups
Revises: 0007_rewards
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_followups"
down_revision = "0007_rewards"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followup_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("asker", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=True),
        sa.Column("thread", sa.String(length=256), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("last_question_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("shown", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "key"),
    )
    op.create_index("ix_followup_threads_asker", "followup_threads", ["asker"])
    op.create_index("ix_followup_threads_updated_at", "followup_threads", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_followup_threads_updated_at", table_name="followup_threads")
    op.drop_index("ix_followup_threads_asker", table_name="followup_threads")
    op.drop_table("followup_threads")
