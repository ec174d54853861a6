"""The control room's tables (issue #18): named dashboard accounts, the audit log of changes made from the web,
the admins' curation of knowledge entries, and the notices the dashboard leaves for the running bot to deliver.
Registered on the store's one metadata; kept by migration 0006_control_room."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from peerbot.bots.schema import Base, FeedbackRow, QuestionRow, utcnow


class AdminAccountRow(Base):
    __tablename__ = "dashboard_admins"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # viewer / moderator / admin
    password_hash: Mapped[str] = mapped_column(String(256))  # argon2id, never the password
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditRow(Base):
    """One change made from the web: who, what, when, the state before and after."""

    __tablename__ = "dashboard_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    admin: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(256), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CurationRow(Base):
    """An admin's decision about one knowledge entry (by its id, `source:thread`, stable across reindexes)."""

    __tablename__ = "entry_curation"
    entry_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    hidden: Mapped[bool] = mapped_column(default=False)
    answer: Mapped[str | None] = mapped_column(Text)  # the served answer text instead of the source's
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every change: serving sees it at once
    pinned_reply: Mapped[str | None] = mapped_column(String(256))  # the thread's reply served instead (0013_curation)
    held: Mapped[bool] = mapped_column(default=False)  # captured, waiting for a moderator's approval (0013_curation)


class WebNoticeRow(Base):
    """A notice (an answer to an asker) written by the dashboard; the running bot's timer delivers it once."""

    __tablename__ = "web_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    notice: Mapped[dict[str, Any]] = mapped_column(JSON)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)


# the knowledge base browser counts, per entry, the questions answered with it and their feedback: index-only scans
Index("ix_questions_entry_outcome", QuestionRow.entry_id, QuestionRow.outcome, QuestionRow.id)
Index("ix_feedback_question_verdict", FeedbackRow.question_id, FeedbackRow.verdict)
# the return page counts questions and answers per day
Index("ix_questions_created_outcome", QuestionRow.created_at, QuestionRow.outcome)


@dataclass(frozen=True)
class AdminAccount:
    name: str
    role: str
    password_hash: str
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    admin: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class Curation:
    entry_id: str
    hidden: bool
    answer: str | None
    updated_by: str
    updated_at: datetime
    revision: int
    pinned_reply: str | None = None
    held: bool = False
