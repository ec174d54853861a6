"""The conversation's tables (issue 17), on the same metadata as bots/schema.py: the askers who joined another
asker's escalation, and the members an admin marked as spammers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from peerbot.bots.schema import Base, utcnow


class JoinedAskerRow(Base):
    """An asker whose question joined an open escalation instead of opening another: they get its answer too."""

    __tablename__ = "escalation_askers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    platform: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(128))
    thread: Mapped[str | None] = mapped_column(String(256))
    public: Mapped[bool] = mapped_column(default=True)
    asker: Mapped[str] = mapped_column(String(128), index=True)
    question: Mapped[str] = mapped_column(Text)


class SpammerRow(Base):
    """A member an admin marked as a spammer: their messages are ignored and never become knowledge."""

    __tablename__ = "spammers"
    member: Mapped[str] = mapped_column(String(128), primary_key=True)  # the platform's user id, as it asks
    marked_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


@dataclass(frozen=True)
class JoinedAsker:
    id: int
    escalation_id: int
    question_id: int
    created_at: datetime
    platform: str
    channel: str | None
    thread: str | None
    public: bool
    asker: str
    question: str
