"""Exactly once: a question keeps the event id that asked it (unique), the answer pipeline's escalation is keyed
by its question (unique), and an event keeps its reply until it was sent (the outbox).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("event_id", sa.String(length=256), nullable=True))
        batch.create_unique_constraint("uq_questions_event_id", ["event_id"])
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("question_key", sa.Integer(), nullable=True))
        batch.create_unique_constraint("uq_escalations_question_key", ["question_key"])
    with op.batch_alter_table("handled_events") as batch:
        batch.add_column(sa.Column("reply", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handled_events") as batch:
        batch.drop_column("reply")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_constraint("uq_escalations_question_key", type_="unique")
        batch.drop_column("question_key")
    with op.batch_alter_table("questions") as batch:
        batch.drop_constraint("uq_questions_event_id", type_="unique")
        batch.drop_column("event_id")
