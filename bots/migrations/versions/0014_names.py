"""Channel and member names for the dashboard (issue #18, point 2): platform, kind, id -> name.

Revision ID: 0014_names
Revises: 0012_identity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_names"
down_revision = "0012_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "names",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("folded", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "kind", "id"),
    )
    op.create_index("ix_names_id", "names", ["id"])
    op.create_index("ix_names_kind_folded", "names", ["kind", "folded"])


def downgrade() -> None:
    op.drop_index("ix_names_kind_folded", table_name="names")
    op.drop_index("ix_names_id", table_name="names")
    op.drop_table("names")
