"""The escalation workflow: open -> claimed -> answered -> resolved (or expired), with a ping ladder.

Every step is one short transaction on the state store, so a restart between steps loses nothing:
the ladder reads `next_ping_at` from the database, not from memory.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from peerbot.bots import messages
from peerbot.bots.config import EscalationSettings, Superuser
from peerbot.bots.conversation import WAITING, EscalationStatus
from peerbot.bots.notices import Notice
from peerbot.bots.state import (
    Escalation,
    EscalationRow,
    Review,
    ReviewRow,
    StateStore,
    SuperuserStatusRow,
    escalation_record,
    review_record,
)

OPEN_STATES = WAITING


def _rowcount(result: Any) -> int:
    """Rows an UPDATE changed: how a conditional update tells the one winner."""
    return int(result.rowcount)


@dataclass(frozen=True)
class Opened:
    escalation_id: int
    pinged: tuple[Superuser, ...]
    expected_minutes: float


class Escalations:
    def __init__(self, store: StateStore, superusers: Sequence[Superuser], settings: EscalationSettings) -> None:
        self.store = store
        self.superusers = list(superusers)
        self.by_id = {s.community_id: s for s in superusers}
        self.settings = settings

    # -- who is available -------------------------------------------------------------------------

    def away(self) -> set[str]:
        with self.store.session() as s:
            return set(s.scalars(select(SuperuserStatusRow.superuser).where(SuperuserStatusRow.away.is_(True))))

    def set_away(self, superuser: str, away: bool) -> None:
        with self.store.session() as s:
            row = s.get(SuperuserStatusRow, superuser)
            if row is None:
                s.add(SuperuserStatusRow(superuser=superuser, away=away))
            else:
                row.away = away

    def load(self) -> dict[str, int]:
        """Open or claimed escalations per superuser (pinged and not yet answered)."""
        counts: dict[str, int] = {}
        with self.store.session() as s:
            for row in s.scalars(select(EscalationRow).where(EscalationRow.status.in_(OPEN_STATES))):
                holders = [row.claimed_by] if row.claimed_by else row.superusers
                for who in holders:
                    counts[who] = counts.get(who, 0) + 1
        return counts

    def unavailable(self) -> set[str]:
        load = self.load()
        busy = {who for who, n in load.items() if n >= self.settings.max_open_per_superuser}
        return self.away() | busy

    # -- the life of an escalation ----------------------------------------------------------------

    def open(self, question_id: int, experts: Sequence[Superuser], first: Sequence[Superuser], **fields: Any) -> Opened:
        now = self.store.clock()
        ladder = self.settings.ladder_minutes
        escalation_id = self.store.open_escalation(
            question_id,
            superusers=[s.community_id for s in first],
            experts=[s.community_id for s in experts],
            next_ping_at=now + timedelta(minutes=ladder[0]) if ladder else None,
            **fields,
        )
        return Opened(escalation_id, tuple(first), self.expected_minutes())

    def expected_minutes(self) -> float:
        """Median minutes to a first human answer over the last 50 answered escalations, else the first ladder step."""
        with self.store.session() as s:
            rows = s.execute(
                select(EscalationRow.created_at, EscalationRow.answered_at)
                .where(EscalationRow.answered_at.is_not(None))
                .order_by(EscalationRow.id.desc())
                .limit(50)
            ).all()
        waits = [(answered - created).total_seconds() / 60 for created, answered in rows if answered is not None]
        if waits:
            return max(1.0, statistics.median(waits))
        return self.settings.ladder_minutes[0] if self.settings.ladder_minutes else 60.0

    def claim(self, escalation_id: int, superuser: str) -> tuple[bool, Escalation | None]:
        """Claim an open escalation; exactly one claimer wins even with concurrent presses."""
        now = self.store.clock()
        with self.store.session() as s:
            won = _rowcount(
                s.execute(
                    update(EscalationRow)
                    .where(EscalationRow.id == escalation_id, EscalationRow.status == EscalationStatus.OPEN)
                    .values(
                        status=EscalationStatus.CLAIMED,
                        claimed_by=superuser,
                        claimed_at=now,
                        next_ping_at=None,
                        updated_at=now,
                    )
                )
            )
        return bool(won), self.store.escalation(escalation_id)

    def answer(self, escalation_id: int, superuser: str, text: str) -> Escalation | None:
        """Record the human answer; claims it on the way if nobody had."""
        now = self.store.clock()
        with self.store.session() as s:
            row = s.get(EscalationRow, escalation_id, with_for_update=True)  # one answer wins across replicas
            if row is None or row.status not in OPEN_STATES:
                return None
            if row.claimed_by is None:
                row.claimed_by, row.claimed_at = superuser, now
            row.status, row.answered_by, row.answer, row.answered_at = EscalationStatus.ANSWERED, superuser, text, now
            row.next_ping_at, row.updated_at = None, now
            s.flush()
            return escalation_record(row)

    def resolve(self, escalation_id: int) -> Escalation | None:
        """answered -> resolved, once (the asker said it solved it, or a superuser accepted it)."""
        now = self.store.clock()
        with self.store.session() as s:
            won = _rowcount(
                s.execute(
                    update(EscalationRow)
                    .where(EscalationRow.id == escalation_id, EscalationRow.status == EscalationStatus.ANSWERED)
                    .values(status=EscalationStatus.RESOLVED, resolved_at=now, updated_at=now)
                )
            )
        return self.store.escalation(escalation_id) if won else None

    def for_question(self, question_id: int, states: Sequence[str]) -> Escalation | None:
        """The newest escalation of a question in one of these states."""
        with self.store.session() as s:
            query = (
                select(EscalationRow)
                .where(EscalationRow.question_id == question_id, EscalationRow.status.in_(states))
                .order_by(EscalationRow.id.desc())
            )
            return escalation_record(s.scalars(query).first())

    def due(self) -> list[Notice]:
        """Climb the ladder for unclaimed escalations whose time is up, and expire stale ones."""
        now = self.store.clock()
        notices: list[Notice] = []
        expire_before = now - timedelta(hours=self.settings.expire_hours)
        unavailable = self.unavailable()  # its own transaction: never nest them (each takes the write lock)
        with self.store.session() as s:
            # Row locks make each step happen once across replicas (PostgreSQL): a row another replica is
            # climbing is skipped, and once it commits the row no longer matches. SQLite: BEGIN IMMEDIATE.
            stale = s.scalars(
                select(EscalationRow)
                .where(EscalationRow.status.in_(OPEN_STATES), EscalationRow.created_at <= expire_before)
                .with_for_update(skip_locked=True)
            ).all()
            for row in stale:
                row.status, row.next_ping_at, row.updated_at = EscalationStatus.EXPIRED, None, now
                notices.append(self._asker_notice(row, messages.EXPIRED))
            due = s.scalars(
                select(EscalationRow)
                .where(EscalationRow.status == EscalationStatus.OPEN, EscalationRow.next_ping_at.is_not(None))
                .where(EscalationRow.next_ping_at <= now)
                .with_for_update(skip_locked=True)
            ).all()
            for row in due:
                notices.extend(self._climb(row, now, unavailable))
        return notices

    def _climb(self, row: EscalationRow, now: datetime, unavailable: set[str]) -> list[Notice]:
        ladder = self.settings.ladder_minutes
        row.level += 1
        pinged = set(row.superusers)
        if row.level < len(ladder):  # the next best expert who has not been pinged
            nxt = [self.by_id[c] for c in row.experts if c not in pinged and c not in unavailable and c in self.by_id]
            targets = nxt[:1]
            row.next_ping_at = now + timedelta(minutes=ladder[row.level])
        else:  # the whole group
            targets = [s for s in self.superusers if s.community_id not in pinged and s.community_id not in unavailable]
            row.next_ping_at = None
        if not targets and row.level < len(ladder):  # nobody new at this step: go straight to the group next time
            row.next_ping_at = now
        row.superusers = [*row.superusers, *(t.community_id for t in targets)]
        row.updated_at = now
        if not targets:
            return []
        text = messages.ping(row.id, row.question, row.urgent, reminder=True)
        return [
            Notice(
                kind="ping",
                text=text,
                escalation_id=row.id,
                superusers=tuple(targets),
                platform=row.platform,
                channel=row.channel,
                thread=row.thread,
                question_id=row.question_id,
            )
        ]

    def _asker_notice(self, row: EscalationRow, text: str) -> Notice:
        return Notice(
            kind="asker",
            text=text.format(id=row.id),
            escalation_id=row.id,
            platform=row.platform,
            channel=row.channel,
            thread=row.thread,
            question_id=row.question_id,
        )

    # -- answers from members who are not superusers ----------------------------------------------

    def submit_for_review(self, escalation_id: int, author: str, author_name: str, text: str) -> int:
        with self.store.session() as s:
            row = ReviewRow(
                escalation_id=escalation_id,
                author=author,
                author_name=author_name,
                answer=text,
                created_at=self.store.clock(),
            )
            s.add(row)
            s.flush()
            return row.id

    def pending_reviews(self) -> list[Review]:
        with self.store.session() as s:
            rows = s.scalars(select(ReviewRow).where(ReviewRow.status == "pending").order_by(ReviewRow.id))
            return [review_record(r) for r in rows]

    def approve(self, review_id: int) -> tuple[Review, Escalation] | None:
        with self.store.session() as s:
            review = s.get(ReviewRow, review_id, with_for_update=True)
            if review is None or review.status != "pending":
                return None
            review.status = "approved"
            s.flush()
            escalation = escalation_record(s.get(EscalationRow, review.escalation_id))
            assert escalation is not None
            return review_record(review), escalation

    def counts(self) -> dict[str, int]:
        with self.store.session() as s:
            rows = s.execute(select(EscalationRow.status, func.count()).group_by(EscalationRow.status)).all()
        return {status: int(n) for status, n in rows}
