"""Curation leftovers (issue #18 point 1): a pinned reply per knowledge entry, and captured answers held for a
moderator's approval before they are served.

Revision ID: 0013_curation
Revises: 0011_followups
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_curation"
down_revision = "0011_followups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entry_curation") as batch:
        batch.add_column(sa.Column("pinned_reply", sa.String(length=256), nullable=True))
        batch.add_column(sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("entry_curation") as batch:
        batch.drop_column("held")
        batch.drop_column("pinned_reply")
