"""The state store's housekeeping: a lease that lets one replica at a time run a periodic job, and the pruning of
what the store no longer needs (handled events past redelivery, old questions' raw text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, String, delete, update
from sqlalchemy.orm import Mapped, mapped_column

from peerbot.bots.conversation import EscalationStatus
from peerbot.bots.schema import Base, EscalationRow, HandledEvent, Queries, QuestionRow
from peerbot.bots.schema_followups import FollowupThreadRow

REMOVED_TEXT = "(removed after the retention period)"
CLOSED = (EscalationStatus.RESOLVED, EscalationStatus.EXPIRED)


class LeaseRow(Base):
    """A periodic job's turn: the replica that moves `until` forward runs it; the others see it taken."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    until: Mapped[datetime] = mapped_column(DateTime)


@dataclass(frozen=True)
class Pruned:
    events: int = 0  # handled events deleted (their replies were sent long ago)
    questions: int = 0  # questions whose raw text was removed
    escalations: int = 0  # closed escalations whose question text was removed (the answer is community content)


class HousekeepingQueries(Queries):
    def take_turn(self, job: str, holder: str, every: timedelta) -> bool:
        """True for exactly one caller per `every` across replicas: that caller runs `job` now."""
        now = self.clock()
        self._add_once(LeaseRow, name=job, holder="", until=now - timedelta(seconds=1))
        with self._session() as s:
            taken = s.execute(
                update(LeaseRow)
                .where(LeaseRow.name == job, LeaseRow.until <= now)
                .values(holder=holder, until=now + every)
            )
            return bool(getattr(taken, "rowcount", 0))

    def turn_taken(self, job: str) -> bool:
        """Someone holds `job`'s turn now (a cheap look before work that only the turn's holder needs)."""
        with self._session() as s:
            row = s.get(LeaseRow, job)
            return row is not None and row.until > self.clock()

    def prune(self, *, events_before: datetime, text_before: datetime) -> Pruned:
        """Delete handled events older than `events_before` (finished ones only: a pending reply is kept);
        remove the askers' raw text of questions, and of closed escalations, older than `text_before`. Counts,
        outcomes and points stay, so analytics and the leaderboard do not change."""
        with self._session() as s:
            events = s.execute(
                delete(HandledEvent).where(HandledEvent.status == "done", HandledEvent.created_at < events_before)
            )
            questions = s.execute(
                update(QuestionRow)
                .where(QuestionRow.created_at < text_before, QuestionRow.text != REMOVED_TEXT)
                .values(text=REMOVED_TEXT)
            )
            escalations = s.execute(
                update(EscalationRow)
                .where(
                    EscalationRow.status.in_(CLOSED),
                    EscalationRow.created_at < text_before,
                    EscalationRow.question != REMOVED_TEXT,
                )
                .values(question=REMOVED_TEXT)
            )
            s.execute(delete(FollowupThreadRow).where(FollowupThreadRow.updated_at < text_before))  # their text too
            counts = (events, questions, escalations)
            return Pruned(*(int(getattr(r, "rowcount", 0) or 0) for r in counts))
