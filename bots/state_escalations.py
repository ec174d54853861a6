"""The state store's escalation queries: claims, answers, the ladder, expiry, away status and the review queue.

Read-then-write steps lock their rows (`FOR UPDATE`; SQLite takes the write lock at BEGIN), so each happens once
across replicas. The decisions (who is pinged next) are the caller's: bots/escalation.py passes them in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from peerbot.bots.conversation import WAITING, EscalationStatus
from peerbot.bots.schema import (
    Escalation,
    EscalationRow,
    Queries,
    Review,
    ReviewRow,
    SuperuserStatusRow,
    escalation_record,
    review_record,
)


@dataclass(frozen=True)
class LadderStep:
    """One step up the ping ladder, as the workflow decided it."""

    superusers: tuple[str, ...]  # everyone pinged so far, the new ones last
    next_ping_at: datetime | None
    added: int = 0  # how many of `superusers` this step pings

    @property
    def pinged_now(self) -> tuple[str, ...]:
        return self.superusers[len(self.superusers) - self.added :] if self.added else ()


class EscalationQueries(Queries):
    def open_escalation(self, question_id: int, **fields: Any) -> int:
        with self._session() as s:
            now = self.clock()
            row = EscalationRow(question_id=question_id, created_at=now, updated_at=now, **fields)
            s.add(row)
            s.flush()
            return row.id

    def open_escalation_once(self, question_id: int, **fields: Any) -> tuple[int, bool]:
        """The answer pipeline's escalation of a question, keyed by it: (id, True) when this call opened it,
        (id, False) when handling the same event before already had."""
        now = self.clock()
        values = {"question_id": question_id, "question_key": question_id, "created_at": now, "updated_at": now}
        opened = self._add_once(EscalationRow, **values, status=EscalationStatus.OPEN, **fields)
        with self._session() as s:
            query = select(EscalationRow.id).where(EscalationRow.question_key == question_id)
            return int(s.scalars(query).one()), opened

    def escalation(self, escalation_id: int) -> Escalation | None:
        with self._session() as s:
            return escalation_record(s.get(EscalationRow, escalation_id))

    def open_escalation_in(self, platform: str, thread: str) -> Escalation | None:
        """The newest escalation still waiting for a person in that thread."""
        with self._session() as s:
            query = (
                select(EscalationRow)
                .where(EscalationRow.platform == platform, EscalationRow.thread == thread)
                .where(EscalationRow.status.in_(WAITING))
                .order_by(EscalationRow.id.desc())
                .limit(1)
            )
            return escalation_record(s.scalars(query).first())

    def escalation_for_question(self, question_id: int, states: Sequence[str]) -> Escalation | None:
        """The newest escalation of a question in one of these states."""
        with self._session() as s:
            query = (
                select(EscalationRow)
                .where(EscalationRow.question_id == question_id, EscalationRow.status.in_(states))
                .order_by(EscalationRow.id.desc())
            )
            return escalation_record(s.scalars(query).first())

    def open_escalations(self) -> int:
        with self._session() as s:
            query = select(func.count()).select_from(EscalationRow).where(EscalationRow.status == EscalationStatus.OPEN)
            return int(s.scalar(query) or 0)

    def escalation_counts(self) -> dict[str, int]:
        with self._session() as s:
            rows = s.execute(select(EscalationRow.status, func.count()).group_by(EscalationRow.status)).all()
        return {status: int(n) for status, n in rows}

    # -- availability -----------------------------------------------------------------------------------------

    def away_superusers(self) -> set[str]:
        with self._session() as s:
            return set(s.scalars(select(SuperuserStatusRow.superuser).where(SuperuserStatusRow.away.is_(True))))

    def set_away(self, superuser: str, away: bool) -> None:
        with self._session() as s:
            row = s.get(SuperuserStatusRow, superuser)
            if row is None:
                s.add(SuperuserStatusRow(superuser=superuser, away=away))
            else:
                row.away = away

    def waiting_load(self) -> dict[str, int]:
        """Open or claimed escalations per superuser (its claimer, else everyone pinged)."""
        counts: dict[str, int] = {}
        with self._session() as s:
            for row in s.scalars(select(EscalationRow).where(EscalationRow.status.in_(WAITING))):
                for who in [row.claimed_by] if row.claimed_by else row.superusers:
                    counts[who] = counts.get(who, 0) + 1
        return counts

    def answer_waits(self, limit: int = 50) -> list[float]:
        """Minutes from opening to a person's answer, newest escalations first."""
        with self._session() as s:
            rows = s.execute(
                select(EscalationRow.created_at, EscalationRow.answered_at)
                .where(EscalationRow.answered_at.is_not(None))
                .order_by(EscalationRow.id.desc())
                .limit(limit)
            ).all()
        return [(answered - created).total_seconds() / 60 for created, answered in rows if answered is not None]

    # -- state changes ----------------------------------------------------------------------------------------

    def claim_escalation(self, escalation_id: int, superuser: str) -> bool:
        """open -> claimed; exactly one claimer wins even with concurrent presses."""
        now = self.clock()
        with self._session() as s:
            result: Any = s.execute(
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
            return bool(result.rowcount)

    def answer_escalation(self, escalation_id: int, superuser: str, text: str) -> Escalation | None:
        """Record the human answer (claiming it on the way if nobody had); None unless it was waiting."""
        now = self.clock()
        with self._session() as s:
            row = s.get(EscalationRow, escalation_id, with_for_update=True)  # one answer wins across replicas
            if row is None or row.status not in WAITING:
                return None
            if row.claimed_by is None:
                row.claimed_by, row.claimed_at = superuser, now
            row.status, row.answered_by, row.answer, row.answered_at = EscalationStatus.ANSWERED, superuser, text, now
            row.next_ping_at, row.updated_at = None, now
            s.flush()
            return escalation_record(row)

    def resolve_escalation(self, escalation_id: int) -> bool:
        """answered -> resolved, once."""
        now = self.clock()
        with self._session() as s:
            result: Any = s.execute(
                update(EscalationRow)
                .where(EscalationRow.id == escalation_id, EscalationRow.status == EscalationStatus.ANSWERED)
                .values(status=EscalationStatus.RESOLVED, resolved_at=now, updated_at=now)
            )
            return bool(result.rowcount)

    def expire_and_climb(
        self, now: datetime, expire_before: datetime, climb: Callable[[Escalation], LadderStep]
    ) -> tuple[list[Escalation], list[tuple[Escalation, LadderStep]]]:
        """Expire escalations waiting since before `expire_before`; take the next ladder step (decided by `climb`)
        for open ones whose ping is due. Row locks make each step happen once across replicas (PostgreSQL: a row
        another replica is climbing is skipped, and once it commits the row no longer matches)."""
        expired: list[Escalation] = []
        climbed: list[tuple[Escalation, LadderStep]] = []
        with self._session() as s:
            stale = s.scalars(
                select(EscalationRow)
                .where(EscalationRow.status.in_(WAITING), EscalationRow.created_at <= expire_before)
                .with_for_update(skip_locked=True)
            ).all()
            for row in stale:
                row.status, row.next_ping_at, row.updated_at = EscalationStatus.EXPIRED, None, now
                expired.append(_record(row))
            due = s.scalars(
                select(EscalationRow)
                .where(EscalationRow.status == EscalationStatus.OPEN, EscalationRow.next_ping_at.is_not(None))
                .where(EscalationRow.next_ping_at <= now)
                .with_for_update(skip_locked=True)
            ).all()
            for row in due:
                step = climb(_record(row))
                row.level += 1
                row.superusers, row.next_ping_at, row.updated_at = list(step.superusers), step.next_ping_at, now
                climbed.append((_record(row), step))
        return expired, climbed

    # -- answers from members who are not superusers ----------------------------------------------------------

    def submit_review(self, escalation_id: int, author: str, author_name: str, text: str) -> int:
        with self._session() as s:
            row = ReviewRow(
                escalation_id=escalation_id,
                author=author,
                author_name=author_name,
                answer=text,
                created_at=self.clock(),
            )
            s.add(row)
            s.flush()
            return row.id

    def pending_reviews(self) -> list[Review]:
        with self._session() as s:
            rows = s.scalars(select(ReviewRow).where(ReviewRow.status == "pending").order_by(ReviewRow.id))
            return [review_record(r) for r in rows]

    def approve_review(self, review_id: int) -> tuple[Review, Escalation] | None:
        """pending -> approved, once; the review and its escalation."""
        with self._session() as s:
            review = s.get(ReviewRow, review_id, with_for_update=True)
            if review is None or review.status != "pending":
                return None
            review.status = "approved"
            s.flush()
            return review_record(review), _record(s.get(EscalationRow, review.escalation_id))


def _record(row: EscalationRow | None) -> Escalation:
    found = escalation_record(row)
    assert found is not None
    return found
