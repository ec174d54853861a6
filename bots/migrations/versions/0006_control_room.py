"""The control room (issue #18): named dashboard accounts with roles, the audit log, the admins' curation of
knowledge entries (hidden, edited answer text) and the notices the dashboard leaves for the bot to deliver.

Revision ID: 0006_control_room
Revises: 0005_conversation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_control_room"
down_revision = "0005_conversation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_admins",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "dashboard_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("admin", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=256), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dashboard_audit") as batch:
        batch.create_index("ix_dashboard_audit_at", ["at"], unique=False)
        batch.create_index("ix_dashboard_audit_admin", ["admin"], unique=False)
        batch.create_index("ix_dashboard_audit_target", ["target"], unique=False)
    op.create_table(
        "entry_curation",
        sa.Column("entry_id", sa.String(length=256), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_table(
        "web_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("notice", sa.JSON(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("web_notices") as batch:
        batch.create_index("ix_web_notices_sent_at", ["sent_at"], unique=False)
    with op.batch_alter_table("questions") as batch:
        batch.create_index("ix_questions_entry_outcome", ["entry_id", "outcome", "id"], unique=False)
        batch.create_index("ix_questions_created_outcome", ["created_at", "outcome"], unique=False)
    with op.batch_alter_table("feedback") as batch:
        batch.create_index("ix_feedback_question_verdict", ["question_id", "verdict"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ix_feedback_question_verdict")
    with op.batch_alter_table("questions") as batch:
        batch.drop_index("ix_questions_created_outcome")
        batch.drop_index("ix_questions_entry_outcome")
    op.drop_table("web_notices")
    op.drop_table("entry_curation")
    op.drop_table("dashboard_audit")
    op.drop_table("dashboard_admins")
