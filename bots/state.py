"""The state store (SQLAlchemy; a SQLite file by default, PostgreSQL for several replicas): questions,
escalations, handled events. The schema is kept by the Alembic migrations in bots/migrations, applied at start-up.

Once-only writes (event dedupe, awards, badges) are `INSERT ... ON CONFLICT DO NOTHING RETURNING`: a returned
row means this call inserted it. On SQLite every transaction takes the write lock at BEGIN (`BEGIN IMMEDIATE`);
on PostgreSQL read-then-write steps lock their rows (`FOR UPDATE`, see bots/escalation.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from peerbot.bots.schema import (
    AskedQuestion,
    BadgeRow,
    Base,
    Escalation,
    EscalationRow,
    FeedbackRecord,
    FeedbackRow,
    HandledEvent,
    PointsRow,
    QuestionRow,
    Review,
    ReviewRow,
    SuperuserStatusRow,
    frozen,
    near_miss_record,
    utcnow,
)
from peerbot.bots.state_control import ControlQueries
from peerbot.bots.state_conversation import ConversationQueries
from peerbot.bots.state_escalations import EscalationQueries
from peerbot.bots.state_followups import FollowupQueries
from peerbot.bots.state_gate import GateQueries
from peerbot.bots.state_housekeeping import HousekeepingQueries
from peerbot.bots.state_identity import IdentityQueries
from peerbot.bots.state_ledger import LedgerQueries
from peerbot.bots.state_live import LiveQueries
from peerbot.bots.state_privacy import Forgotten, PrivacyQueries
from peerbot.bots.state_reports import ReportQueries
from peerbot.bots.state_rewards import RewardQueries
from peerbot.bots.state_shipping import ShippingQueries
from peerbot.errors import ConfigError

__all__ = [  # the records, and the rows for tests that seed a database
    "AskedQuestion",
    "BadgeRow",
    "Base",
    "Escalation",
    "EscalationRow",
    "FeedbackRecord",
    "FeedbackRow",
    "Forgotten",
    "HandledEvent",
    "PointsRow",
    "QuestionRow",
    "Review",
    "ReviewRow",
    "StateStore",
    "SuperuserStatusRow",
    "near_miss_record",
    "utcnow",
]

MIGRATIONS = Path(__file__).parent / "migrations"
UNFINISHED = ("taken", "replied")  # an event's states before its reply was sent
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
    cursor.execute("PRAGMA busy_timeout=30000")  # first: WAL switch and migrations of other starters wait too
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


def _migrate_when_free(engine: Engine, dialect: str, attempts: int = 5) -> None:
    """migrate(), again after a pause when SQLite answers "database is locked" at once instead of waiting (it does
    so to avoid a deadlock, e.g. while another starter switches the file to WAL); each try re-reads the revision,
    so a database another starter migrated meanwhile is left as it is."""
    for attempt in range(attempts):
        try:
            migrate(engine)
            return
        except OperationalError as exc:
            if dialect != "sqlite" or "locked" not in str(exc.orig) or attempt == attempts - 1:
                raise
            time.sleep(0.2 * 2**attempt)


def _needs_stamp(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return "questions" in tables and "alembic_version" not in tables


class StateStore(
    EscalationQueries,
    LedgerQueries,
    ReportQueries,
    PrivacyQueries,
    HousekeepingQueries,
    ShippingQueries,
    LiveQueries,
    GateQueries,
    ConversationQueries,
    FollowupQueries,
    ControlQueries,
    RewardQueries,
    IdentityQueries,
):
    """Durable record of what the bot did; every write is its own short transaction. All SQL lives here and in
    the query mixins (bots/state_*.py); callers get frozen records (bots/schema.py), never rows or sessions."""

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
            _migrate_when_free(self.engine, self.dialect)
        except OperationalError as exc:
            shown = make_url(engine_url(url)).render_as_string(hide_password=True)
            raise ConfigError(f"state.url: cannot open the state store {shown} ({exc.orig})") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def _add_once(self, model: type[Base], **values: Any) -> bool:
        """Insert a row unless one with the same key exists; True when this call inserted it."""
        with self._session() as s:
            insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
            statement = insert(model).values(**values).on_conflict_do_nothing()
            return s.execute(statement.returning(*inspect(model).primary_key)).first() is not None

    def record_question(self, **fields: Any) -> int:
        """A new question's id; a question asked by an event already recorded (`event_id`) keeps its first id."""
        event_id = fields.get("event_id")
        if event_id is None:
            with self._session() as s:
                row = QuestionRow(created_at=self.clock(), **fields)
                s.add(row)
                s.flush()
                return row.id
        self._add_once(QuestionRow, created_at=self.clock(), **fields)
        with self._session() as s:
            return int(s.scalars(select(QuestionRow.id).where(QuestionRow.event_id == event_id)).one())

    def last_question(self, platform: str, asker: str) -> AskedQuestion | None:
        with self._session() as s:
            query = (
                select(QuestionRow)
                .where(QuestionRow.platform == platform, QuestionRow.asker == asker)
                .where(QuestionRow.outcome.in_(("answer", "suggest", "escalate", "out_of_scope")))
                .order_by(QuestionRow.id.desc())
                .limit(1)
            )
            return frozen(AskedQuestion, s.scalars(query).first())

    def question(self, question_id: int) -> AskedQuestion | None:
        with self._session() as s:
            return frozen(AskedQuestion, s.get(QuestionRow, question_id))

    def record_feedback(self, question_id: int, user: str, verdict: str) -> int:
        with self._session() as s:
            row = FeedbackRow(question_id=question_id, user=user, verdict=verdict, created_at=self.clock())
            s.add(row)
            s.flush()
            return row.id

    def feedback_for(self, question_id: int) -> list[FeedbackRecord]:
        with self._session() as s:
            rows = s.scalars(select(FeedbackRow).where(FeedbackRow.question_id == question_id))
            return [r for r in (frozen(FeedbackRecord, row) for row in rows) if r is not None]

    def first_time(self, event_id: str) -> bool:
        """True the first time an event id is seen; False for a redelivery."""
        return self._add_once(HandledEvent, event_id=event_id, created_at=self.clock())

    def take_event(self, event_id: str, payload: dict[str, Any], lease_seconds: float) -> bool:
        """Take an event to handle: True the first time, or when its previous taker's lease ran out."""
        now = utcnow()
        lease = now + timedelta(seconds=lease_seconds)
        values = {"event_id": event_id, "created_at": self.clock(), "status": "taken", "lease_until": lease}
        if self._add_once(HandledEvent, **values, payload=payload):
            return True
        with self._session() as s:
            result = s.execute(
                update(HandledEvent)
                .where(HandledEvent.event_id == event_id, HandledEvent.status.in_(UNFINISHED))
                .where(HandledEvent.lease_until < now)
                .values(lease_until=lease)
            )
            return bool(getattr(result, "rowcount", 0))

    def record_reply(self, event_id: str, reply: dict[str, Any], lease_seconds: float) -> None:
        """The outbox: the event's reply, kept until `mark_sent`; the lease is renewed for the post."""
        lease = utcnow() + timedelta(seconds=lease_seconds)
        with self._session() as s:
            s.execute(
                update(HandledEvent)
                .where(HandledEvent.event_id == event_id, HandledEvent.status.in_(UNFINISHED))
                .values(status="replied", reply=reply, lease_until=lease)
            )

    def event_reply(self, event_id: str) -> dict[str, Any] | None:
        """The reply recorded for an event and not yet marked sent, if any."""
        with self._session() as s:
            query = select(HandledEvent.reply).where(
                HandledEvent.event_id == event_id, HandledEvent.status == "replied"
            )
            return s.scalars(query).first()

    def mark_sent(self, event_id: str) -> None:
        """The event's reply was posted: nothing of it is left to do."""
        with self._session() as s:
            s.execute(
                update(HandledEvent)
                .where(HandledEvent.event_id == event_id)
                .values(status="done", payload=None, reply=None, lease_until=None)
            )

    def abandoned_events(self, limit: int = 20) -> list[tuple[str, dict[str, Any]]]:
        """Events taken by a replica that did not finish them before its lease ran out."""
        with self._session() as s:
            rows = s.execute(
                select(HandledEvent.event_id, HandledEvent.payload)
                .where(HandledEvent.status.in_(UNFINISHED), HandledEvent.lease_until < utcnow())
                .limit(limit)
            ).all()
        return [(event_id, payload or {}) for event_id, payload in rows]

    def outcome_counts(self) -> dict[str, int]:
        with self._session() as s:
            rows = s.execute(select(QuestionRow.outcome, func.count()).group_by(QuestionRow.outcome)).all()
            return {outcome: int(n) for outcome, n in rows}
