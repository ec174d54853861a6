"""Indexes that travel: published index versions copied into the state store, in parts.

Revision ID: 0010_index_shipping
Revises: 0009_housekeeping
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_index_shipping"
down_revision = "0009_housekeeping"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_versions",
        sa.Column("version", sa.String(length=128), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
    )
    op.create_index("ix_index_versions_created_at", "index_versions", ["created_at"])
    op.create_table(
        "index_parts",
        sa.Column("version", sa.String(length=128), primary_key=True),
        sa.Column("name", sa.String(length=256), primary_key=True),
        sa.Column("part", sa.Integer(), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("index_parts")
    op.drop_index("ix_index_versions_created_at", table_name="index_versions")
    op.drop_table("index_versions")
