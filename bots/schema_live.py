"""The state store's tables for live capture: threads learned from chat, and backfill cursors per channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from peerbot.bots.schema import Base, utcnow


class LiveThreadRow(Base):
    """A chat thread as last seen (peerbot's JSONL thread record): `status` live (served), pending (held for
    review) or retracted (its messages were deleted or it is no longer solved)."""

    __tablename__ = "live_threads"
    key: Mapped[str] = mapped_column(String(256), primary_key=True)  # platform:channel:root message
    platform: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BackfillCursorRow(Base):
    """Where a backfill of one channel stands: the next page to read (None once the channel is done)."""

    __tablename__ = "backfill_cursors"
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(128), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(512))
    done: Mapped[bool] = mapped_column(default=False)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ScheduledRunRow(Base):
    """A scheduled job ([schedule]): when it last finished, and who holds it now (a lease, one replica at a time)."""

    __tablename__ = "scheduled_runs"
    job: Mapped[str] = mapped_column(String(128), primary_key=True)  # "source:NAME" or "full"
    last_run: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)


@dataclass(frozen=True)
class LiveThread:
    key: str
    platform: str
    channel: str
    status: str
    record: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class BackfillCursor:
    platform: str
    channel: str
    cursor: str | None
    done: bool
    messages: int
