"""The state store's tables (SQLAlchemy ORM, kept by the Alembic migrations in bots/migrations) and the frozen
records the store hands out instead of rows. Only the bots/state*.py modules use the rows."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from peerbot.bots.conversation import EscalationStatus


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class QuestionRow(Base):
    __tablename__ = "questions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    platform: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(128))
    thread: Mapped[str | None] = mapped_column(String(256), index=True)
    public: Mapped[bool] = mapped_column(default=True)  # asked where anyone can read the answer
    asker: Mapped[str] = mapped_column(String(128), index=True)
    text: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    confidence: Mapped[float | None] = mapped_column(Float)
    entry_id: Mapped[str | None] = mapped_column(String(256))
    index_version: Mapped[str | None] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(256), unique=True)  # the event that asked it: once


class EscalationRow(Base):
    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=EscalationStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    platform: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(128))
    thread: Mapped[str | None] = mapped_column(String(256), index=True)
    asker: Mapped[str] = mapped_column(String(128))
    question: Mapped[str] = mapped_column(Text)
    superusers: Mapped[list[str]] = mapped_column(JSON, default=list)
    near_misses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(64), default="no trusted answer")
    answered_by: Mapped[str | None] = mapped_column(String(128), index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    public: Mapped[bool] = mapped_column(default=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    experts: Mapped[list[str]] = mapped_column(JSON, default=list)  # ranked community ids for the ladder
    level: Mapped[int] = mapped_column(Integer, default=0)  # ladder steps taken
    next_ping_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(128), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the question the answer pipeline opened it for (unique: handling the same event again finds it); None for
    # later escalations of a question ("Ask a human")
    question_key: Mapped[int | None] = mapped_column(Integer, unique=True)


class PointsRow(Base):
    """The kudos ledger: one row per award, so totals for any period can be summed."""

    __tablename__ = "points"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    superuser: Mapped[str] = mapped_column(String(128), index=True)
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))  # claimed / answered / accepted / deflection
    ref: Mapped[str] = mapped_column(String(128))  # what earned it (escalation or question id)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    __table_args__ = (UniqueConstraint("superuser", "reason", "ref"),)


class BadgeRow(Base):
    __tablename__ = "badges"
    superuser: Mapped[str] = mapped_column(String(128), primary_key=True)
    badge: Mapped[str] = mapped_column(String(64), primary_key=True)
    earned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SuperuserStatusRow(Base):
    __tablename__ = "superuser_status"
    superuser: Mapped[str] = mapped_column(String(128), primary_key=True)
    away: Mapped[bool] = mapped_column(default=False)


class ForgottenAuthor(Base):
    """An author who asked that their content be removed and kept out of the knowledge base."""

    __tablename__ = "forgotten_authors"
    author: Mapped[str] = mapped_column(String(256), primary_key=True)  # lower case id or name
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReviewRow(Base):
    """An answer by a member who is not a superuser, waiting for a superuser or admin to approve it."""

    __tablename__ = "review_queue"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    author_name: Mapped[str] = mapped_column(String(128))
    answer: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending / approved
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FeedbackRow(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    user: Mapped[str] = mapped_column(String(128))
    verdict: Mapped[str] = mapped_column(String(16))  # solved / unhelpful / human
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HandledEvent(Base):
    """The inbox and outbox of platform events: taken with a lease (wall-clock time); "replied" once the reply is
    recorded (`reply`), "done" once the adapter says it was sent. An event whose taker died before "done" is
    taken again by another replica when its lease runs out: it reuses what was recorded and sends an unsent reply."""

    __tablename__ = "handled_events"
    event_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="done", server_default="done", index=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reply: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the outbox: recorded, not yet sent


# -- what the store hands out: frozen records, never ORM rows or sessions ---------------------------------


@dataclass(frozen=True)
class AskedQuestion:
    id: int
    created_at: datetime
    platform: str
    channel: str | None
    thread: str | None
    public: bool
    asker: str
    text: str
    outcome: str
    confidence: float | None
    entry_id: str | None
    index_version: str | None


@dataclass(frozen=True)
class Escalation:
    id: int
    question_id: int
    status: str
    created_at: datetime
    updated_at: datetime
    platform: str
    channel: str | None
    thread: str | None
    asker: str
    question: str
    superusers: tuple[str, ...]
    near_misses: tuple[dict[str, Any], ...]
    reason: str
    answered_by: str | None
    answer: str | None
    answered_at: datetime | None
    public: bool
    urgent: bool
    experts: tuple[str, ...]
    level: int
    next_ping_at: datetime | None
    claimed_by: str | None
    claimed_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class Review:
    id: int
    escalation_id: int
    author: str
    author_name: str
    answer: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    question_id: int
    user: str
    verdict: str
    created_at: datetime


Record = TypeVar("Record")


def frozen(record: type[Record], row: Base | None) -> Record | None:
    """An ORM row as its frozen record (lists become tuples); None stays None."""
    if row is None:
        return None
    values = {f.name: getattr(row, f.name) for f in fields(record)}  # type: ignore[arg-type]
    return record(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def escalation_record(row: EscalationRow | None) -> Escalation | None:
    return frozen(Escalation, row)


def review_record(row: ReviewRow) -> Review:
    found = frozen(Review, row)
    assert found is not None
    return found


def near_miss_record(title: str, url: str | None, confidence: float, entry_id: str) -> dict[str, Any]:
    return {"title": title, "url": url, "confidence": round(confidence, 3), "entry_id": entry_id}


class Queries:
    """What the query mixins (bots/state_*.py) use of the StateStore they are part of."""

    clock: Callable[[], datetime]

    def _session(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _add_once(self, model: type[Base], **values: Any) -> bool:
        raise NotImplementedError
