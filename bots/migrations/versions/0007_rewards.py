"""Rewards: tiers granted (who, what, when, which code), single-use voucher codes, the club, announcement opt-outs,
the monthly "helper of the month" posts.

Revision ID: 0007_rewards
Revises: 0006_control_room
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_rewards"
down_revision = "0006_control_room"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reward_grants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member", sa.String(length=128), nullable=False, index=True),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("pool", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False, index=True),
        sa.Column("code", sa.String(length=256), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=True, index=True),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("member", "tier", name="uq_reward_grants_member_tier"),
    )
    op.create_table(
        "voucher_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pool", sa.String(length=64), nullable=False, index=True),
        sa.Column("code", sa.String(length=256), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=True, unique=True),
        sa.UniqueConstraint("pool", "code", name="uq_voucher_codes_pool_code"),
    )
    op.create_table(
        "voucher_pools",
        sa.Column("pool", sa.String(length=64), primary_key=True),
        sa.Column("warned", sa.String(length=16), nullable=False, server_default=""),
    )
    op.create_table(
        "club_members",
        sa.Column("member", sa.String(length=128), primary_key=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("discord_id", sa.String(length=64), nullable=True),
        sa.Column("slack_id", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False, index=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "announce_optout",
        sa.Column("member", sa.String(length=128), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "monthly_posts",
        sa.Column("month", sa.String(length=7), primary_key=True),
        sa.Column("member", sa.String(length=128), nullable=True),
        sa.Column("posted_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("monthly_posts", "announce_optout", "club_members", "voucher_pools", "voucher_codes"):
        op.drop_table(table)
    op.drop_table("reward_grants")
