"""One person, one identity (issue 18): the escalations' answered_by and claimed_by are indexed, so the merge of a
configured person's other accounts into their key (bots/state_identity.py, at every start-up) looks them up
instead of reading every escalation.

Revision ID: 0012_identity
Revises: 0013_curation
"""

from __future__ import annotations

from alembic import op

revision = "0012_identity"
down_revision = "0013_curation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_escalations_answered_by", "escalations", ["answered_by"])
    op.create_index("ix_escalations_claimed_by", "escalations", ["claimed_by"])


def downgrade() -> None:
    op.drop_index("ix_escalations_claimed_by", table_name="escalations")
    op.drop_index("ix_escalations_answered_by", table_name="escalations")
