"""The conversation (issue 17): askers who joined an open escalation, and members marked as spammers.

Revision ID: 0005_conversation
Revises: 0008_gate_feedback
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_conversation"
down_revision = "0008_gate_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "escalation_askers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=True),
        sa.Column("thread", sa.String(length=256), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("asker", sa.String(length=128), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id"),
    )
    op.create_index("ix_escalation_askers_escalation_id", "escalation_askers", ["escalation_id"])
    op.create_index("ix_escalation_askers_asker", "escalation_askers", ["asker"])
    op.create_table(
        "spammers",
        sa.Column("member", sa.String(length=128), nullable=False),
        sa.Column("marked_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("member"),
    )


def downgrade() -> None:
    op.drop_table("spammers")
    op.drop_index("ix_escalation_askers_asker", table_name="escalation_askers")
    op.drop_index("ix_escalation_askers_escalation_id", table_name="escalation_askers")
    op.drop_table("escalation_askers")
