"""The rewards tables (on the state store's metadata; migration 0007_rewards) and the records handed out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from peerbot.bots.schema import Base, utcnow


class RewardGrantRow(Base):
    """A tier reached by a member: once per (member, tier). A voucher waits ("waiting") until a code is free."""

    __tablename__ = "reward_grants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member: Mapped[str] = mapped_column(String(128), index=True)  # the superuser's community id
    tier: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # voucher / club / thanks
    pool: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)  # waiting / granted / revoked
    code: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    granted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime)  # a replica took its private message to send
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)  # the adapters had it: never sent again
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("member", "tier"),)


class VoucherCodeRow(Base):
    """A single-use code; `grant_id` (unique) is set once, by the one transaction that hands it out."""

    __tablename__ = "voucher_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool: Mapped[str] = mapped_column(String(64), index=True)
    code: Mapped[str] = mapped_column(String(256))
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    grant_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    __table_args__ = (UniqueConstraint("pool", "code"),)


class VoucherPoolRow(Base):
    """The last stock warning sent for a pool ("", "low", "empty"): each is sent once until codes are imported."""

    __tablename__ = "voucher_pools"
    pool: Mapped[str] = mapped_column(String(64), primary_key=True)
    warned: Mapped[str] = mapped_column(String(16), default="")


class ClubMemberRow(Base):
    """Club membership on the platforms: "adding" -> "added"; "removing" -> "removed" (revoked or forgotten)."""

    __tablename__ = "club_members"
    member: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    discord_id: Mapped[str | None] = mapped_column(String(64))
    slack_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AnnounceOptOutRow(Base):
    """A member who asked not to be named in public announcements."""

    __tablename__ = "announce_optout"
    member: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MonthlyPostRow(Base):
    """The "helper of the month" post for a month ("2026-11"): made once, by whichever replica gets here first."""

    __tablename__ = "monthly_posts"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    member: Mapped[str | None] = mapped_column(String(128))
    posted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


@dataclass(frozen=True)
class Grant:
    id: int
    member: str
    tier: str
    kind: str
    pool: str | None
    status: str
    code: str | None
    created_at: datetime
    granted_at: datetime | None
    taken_at: datetime | None
    sent_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class ClubChange:
    member: str
    name: str
    discord_id: str | None
    slack_id: str | None
    state: str  # "added" or "removed": what the platforms must now do


@dataclass(frozen=True)
class PoolStock:
    pool: str
    total: int
    left: int
    waiting: int  # members whose voucher waits for codes
