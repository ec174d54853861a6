"""Baseline: the schema that `Base.metadata.create_all` made before migrations existed.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 14:28:09.127872
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "badges",
        sa.Column("superuser", sa.String(length=128), nullable=False),
        sa.Column("badge", sa.String(length=64), nullable=False),
        sa.Column("earned_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("superuser", "badge"),
    )
    op.create_table(
        "forgotten_authors",
        sa.Column("author", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("author"),
    )
    op.create_table(
        "handled_events",
        sa.Column("event_id", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("superuser", sa.String(length=128), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("superuser", "reason", "ref"),
    )
    with op.batch_alter_table("points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_points_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_points_superuser"), ["superuser"], unique=False)

    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=True),
        sa.Column("thread", sa.String(length=256), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("asker", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("entry_id", sa.String(length=256), nullable=True),
        sa.Column("index_version", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questions_asker"), ["asker"], unique=False)
        batch_op.create_index(batch_op.f("ix_questions_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_questions_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_questions_thread"), ["thread"], unique=False)

    op.create_table(
        "superuser_status",
        sa.Column("superuser", sa.String(length=128), nullable=False),
        sa.Column("away", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("superuser"),
    )
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=True),
        sa.Column("thread", sa.String(length=256), nullable=True),
        sa.Column("asker", sa.String(length=128), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("superusers", sa.JSON(), nullable=False),
        sa.Column("near_misses", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("answered_by", sa.String(length=128), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("experts", sa.JSON(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("next_ping_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalations_next_ping_at"), ["next_ping_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalations_question_id"), ["question_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalations_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalations_thread"), ["thread"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_question_id"), ["question_id"], unique=False)

    op.create_table(
        "review_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("author_name", sa.String(length=128), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_queue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_queue_escalation_id"), ["escalation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_queue_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_queue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_queue_status"))
        batch_op.drop_index(batch_op.f("ix_review_queue_escalation_id"))

    op.drop_table("review_queue")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_question_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalations_thread"))
        batch_op.drop_index(batch_op.f("ix_escalations_status"))
        batch_op.drop_index(batch_op.f("ix_escalations_question_id"))
        batch_op.drop_index(batch_op.f("ix_escalations_next_ping_at"))

    op.drop_table("escalations")
    op.drop_table("superuser_status")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questions_thread"))
        batch_op.drop_index(batch_op.f("ix_questions_outcome"))
        batch_op.drop_index(batch_op.f("ix_questions_created_at"))
        batch_op.drop_index(batch_op.f("ix_questions_asker"))

    op.drop_table("questions")
    with op.batch_alter_table("points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_superuser"))
        batch_op.drop_index(batch_op.f("ix_points_created_at"))

    op.drop_table("points")
    op.drop_table("handled_events")
    op.drop_table("forgotten_authors")
    op.drop_table("badges")
