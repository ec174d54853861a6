"""The state store (SQLAlchemy; a SQLite file by default, PostgreSQL for several replicas): questions,
escalations, handled events. The schema is kept by the Alembic migrations in bots/migrations, applied at start-up.

Once-only writes (event dedupe, awards, badges) are `INSERT ... ON CONFLICT DO NOTHING RETURNING`: a returned
row means this call inserted it. On SQLite every transaction takes the write lock at BEGIN (`BEGIN IMMEDIATE`);
on PostgreSQL read-then-write steps lock their rows (`FOR UPDATE`, see bots/escalation.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from peerbot.bots.conversation import WAITING, EscalationStatus
from peerbot.errors import ConfigError


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
    answered_by: Mapped[str | None] = mapped_column(String(128))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    public: Mapped[bool] = mapped_column(default=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    experts: Mapped[list[str]] = mapped_column(JSON, default=list)  # ranked community ids for the ladder
    level: Mapped[int] = mapped_column(Integer, default=0)  # ladder steps taken
    next_ping_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)


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
    """The inbox of platform events: taken with a lease (wall-clock time), finished after the reply; an event
    whose taker died before finishing is taken again by another replica when its lease runs out."""

    __tablename__ = "handled_events"
    event_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="done", server_default="done", index=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)


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


MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"  # the schema that create_all made before migrations existed
DIALECTS = ("sqlite", "postgresql")
MIGRATION_LOCK = 0x70656572  # pg_advisory_xact_lock key: replicas starting together migrate one at a time


def engine_url(url: str) -> str:
    """PostgreSQL URLs use psycopg 3 (`postgres://` and `postgresql://` as hosting services hand them out)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _begin_immediate
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")  # first: switching to WAL waits for other processes too
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock at the start: read-then-write transactions (claims, awards) from several
    processes then queue on busy_timeout instead of failing with "database is locked"."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision in one transaction. A database made by the old create_all
    (tables but no alembic_version) is stamped at the baseline first, so its data stays."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:  # SQLite: BEGIN IMMEDIATE serialises concurrent starters
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        if _needs_stamp(connection):
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")


def _needs_stamp(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return "questions" in tables and "alembic_version" not in tables


class StateStore:
    """Durable record of what the bot did; every write is its own short transaction."""

    def __init__(self, url: str, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock
        if url.startswith("sqlite:///") and ":memory:" not in url:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.dialect = make_url(engine_url(url)).get_backend_name()
        except Exception as exc:
            raise ConfigError(f"state.url: cannot use {url!r} ({exc})") from exc
        if self.dialect not in DIALECTS:
            raise ConfigError(f"state.url: peerbot keeps its state in SQLite or PostgreSQL, not {self.dialect}")
        try:
            self.engine = create_engine(engine_url(url), pool_pre_ping=self.dialect == "postgresql")
        except ModuleNotFoundError as exc:
            hint = "pip install 'psycopg[binary]'" if self.dialect == "postgresql" else f"install {exc.name}"
            raise ConfigError(f"state.url: {url!r} needs the {exc.name} driver: {hint}") from exc
        except Exception as exc:
            raise ConfigError(f"state.url: cannot use {url!r} ({exc})") from exc
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _begin_immediate)
        try:
            migrate(self.engine)
        except OperationalError as exc:
            shown = make_url(engine_url(url)).render_as_string(hide_password=True)
            raise ConfigError(f"state.url: cannot open the state store {shown} ({exc.orig})") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def add_once(self, model: type[Base], **values: Any) -> bool:
        """Insert a row unless one with the same key exists; True when this call inserted it."""
        with self.session() as s:
            return self.insert_once(s, model, **values)

    def insert_once(self, session: Session, model: type[Base], **values: Any) -> bool:
        """`add_once` inside a caller's transaction."""
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        statement = insert(model).values(**values).on_conflict_do_nothing().returning(*inspect(model).primary_key)
        return session.execute(statement).first() is not None

    def record_question(self, **fields: Any) -> int:
        with self.session() as s:
            row = QuestionRow(created_at=self.clock(), **fields)
            s.add(row)
            s.flush()
            return row.id

    def open_escalation(self, question_id: int, **fields: Any) -> int:
        with self.session() as s:
            now = self.clock()
            row = EscalationRow(question_id=question_id, created_at=now, updated_at=now, **fields)
            s.add(row)
            s.flush()
            return row.id

    def escalation(self, escalation_id: int) -> Escalation | None:
        with self.session() as s:
            return escalation_record(s.get(EscalationRow, escalation_id))

    def last_question(self, platform: str, asker: str) -> AskedQuestion | None:
        with self.session() as s:
            query = (
                select(QuestionRow)
                .where(QuestionRow.platform == platform, QuestionRow.asker == asker)
                .where(QuestionRow.outcome.in_(("answer", "suggest", "escalate")))
                .order_by(QuestionRow.id.desc())
                .limit(1)
            )
            return frozen(AskedQuestion, s.scalars(query).first())

    def question(self, question_id: int) -> AskedQuestion | None:
        with self.session() as s:
            return frozen(AskedQuestion, s.get(QuestionRow, question_id))

    def record_feedback(self, question_id: int, user: str, verdict: str) -> int:
        with self.session() as s:
            row = FeedbackRow(question_id=question_id, user=user, verdict=verdict, created_at=self.clock())
            s.add(row)
            s.flush()
            return row.id

    def feedback_for(self, question_id: int) -> list[FeedbackRecord]:
        with self.session() as s:
            rows = s.scalars(select(FeedbackRow).where(FeedbackRow.question_id == question_id))
            return [r for r in (frozen(FeedbackRecord, row) for row in rows) if r is not None]

    def open_escalation_in(self, platform: str, thread: str) -> Escalation | None:
        """The newest escalation still waiting for a person in that thread."""
        with self.session() as s:
            query = (
                select(EscalationRow)
                .where(EscalationRow.platform == platform, EscalationRow.thread == thread)
                .where(EscalationRow.status.in_(WAITING))
                .order_by(EscalationRow.id.desc())
                .limit(1)
            )
            return escalation_record(s.scalars(query).first())

    def forget_author(self, author: str) -> None:
        self.add_once(ForgottenAuthor, author=author.lower(), created_at=self.clock())

    def forgotten_authors(self) -> list[str]:
        with self.session() as s:
            return list(s.scalars(select(ForgottenAuthor.author)))

    def first_time(self, event_id: str) -> bool:
        """True the first time an event id is seen; False for a redelivery."""
        return self.add_once(HandledEvent, event_id=event_id, created_at=self.clock())

    def take_event(self, event_id: str, payload: dict[str, Any], lease_seconds: float) -> bool:
        """Take an event to handle: True the first time, or when its previous taker's lease ran out."""
        now = utcnow()
        lease = now + timedelta(seconds=lease_seconds)
        values = {"event_id": event_id, "created_at": self.clock(), "status": "taken", "lease_until": lease}
        if self.add_once(HandledEvent, **values, payload=payload):
            return True
        with self.session() as s:
            result = s.execute(
                update(HandledEvent)
                .where(HandledEvent.event_id == event_id, HandledEvent.status == "taken")
                .where(HandledEvent.lease_until < now)
                .values(lease_until=lease)
            )
            return bool(getattr(result, "rowcount", 0))

    def finish_event(self, event_id: str) -> None:
        with self.session() as s:
            s.execute(
                update(HandledEvent)
                .where(HandledEvent.event_id == event_id)
                .values(status="done", payload=None, lease_until=None)
            )

    def abandoned_events(self, limit: int = 20) -> list[tuple[str, dict[str, Any]]]:
        """Events taken by a replica that did not finish them before its lease ran out."""
        with self.session() as s:
            rows = s.execute(
                select(HandledEvent.event_id, HandledEvent.payload)
                .where(HandledEvent.status == "taken", HandledEvent.lease_until < utcnow())
                .limit(limit)
            ).all()
        return [(event_id, payload or {}) for event_id, payload in rows]

    def outcome_counts(self) -> dict[str, int]:
        with self.session() as s:
            rows = s.execute(select(QuestionRow.outcome, func.count()).group_by(QuestionRow.outcome)).all()
            return {outcome: int(n) for outcome, n in rows}

    def open_escalations(self) -> int:
        with self.session() as s:
            query = select(func.count()).select_from(EscalationRow).where(EscalationRow.status == EscalationStatus.OPEN)
            return int(s.scalar(query) or 0)


def near_miss_record(title: str, url: str | None, confidence: float, entry_id: str) -> dict[str, Any]:
    return {"title": title, "url": url, "confidence": round(confidence, 3), "entry_id": entry_id}
