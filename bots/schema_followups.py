"""The follow-ups' table (issue 17): one row per conversation the bot answered, on the same metadata as
bots/schema.py. A row is what a restarted bot, or another replica, needs to continue the thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from peerbot.bots.schema import Base, utcnow

OPEN, SOLVED = "open", "solved"


class FollowupThreadRow(Base):
    """The asker's conversation with the bot: the question, the details added since, the answers shown."""

    __tablename__ = "followup_threads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(400))  # the platform's thread, or "channel|asker" where there is none
    asker: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str | None] = mapped_column(String(128))
    thread: Mapped[str | None] = mapped_column(String(256))
    public: Mapped[bool] = mapped_column(default=True)
    question_id: Mapped[int] = mapped_column(Integer)  # the question that opened the conversation
    last_question_id: Mapped[int] = mapped_column(Integer)  # the newest reply's question: verdicts are recorded on it
    question: Mapped[str] = mapped_column(Text)
    details: Mapped[list[str]] = mapped_column(JSON, default=list)
    shown: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # {"id", "title", "public"}, in order
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    __table_args__ = (UniqueConstraint("platform", "key"),)


@dataclass(frozen=True)
class FollowupThread:
    id: int
    platform: str
    key: str
    asker: str
    channel: str | None
    thread: str | None
    public: bool
    question_id: int
    last_question_id: int
    question: str
    details: tuple[str, ...]
    shown: tuple[dict[str, Any], ...]
    status: str
    created_at: datetime
    updated_at: datetime

    @property
    def shown_ids(self) -> frozenset[str]:
        return frozenset(str(s["id"]) for s in self.shown)

    @property
    def search_text(self) -> str:
        """What a re-retrieval searches: the question and every detail the asker added, in order."""
        return "\n".join([self.question, *self.details])
