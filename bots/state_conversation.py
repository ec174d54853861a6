"""The state store's conversation queries (issue 17): askers joining an open escalation, the escalations a member
opened lately (the throttle), and the members marked as spammers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from peerbot.bots.conversation import WAITING
from peerbot.bots.schema import Escalation, EscalationRow, Queries, QuestionRow, escalation_record, frozen
from peerbot.bots.schema_conversation import JoinedAsker, JoinedAskerRow, SpammerRow


class ConversationQueries(Queries):
    def waiting_escalations(self, limit: int = 500) -> list[Escalation]:
        """Escalations still waiting for a person (open or claimed), newest first."""
        with self._session() as s:
            query = (
                select(EscalationRow)
                .where(EscalationRow.status.in_(WAITING))
                .order_by(EscalationRow.id.desc())
                .limit(limit)
            )
            return [e for e in (escalation_record(r) for r in s.scalars(query)) if e is not None]

    def join_escalation(self, escalation_id: int, question_id: int, **fields: Any) -> bool:
        """The question joins the escalation; False when it had joined before (its event handled again)."""
        return self._add_once(
            JoinedAskerRow, escalation_id=escalation_id, question_id=question_id, created_at=self.clock(), **fields
        )

    def joined_askers(self, escalation_id: int) -> list[JoinedAsker]:
        with self._session() as s:
            query = select(JoinedAskerRow).where(JoinedAskerRow.escalation_id == escalation_id)
            rows = [frozen(JoinedAsker, r) for r in s.scalars(query.order_by(JoinedAskerRow.id))]
            return [r for r in rows if r is not None]

    def joined_escalation(self, question_id: int) -> int | None:
        """The escalation this question joined, when it did."""
        with self._session() as s:
            query = select(JoinedAskerRow.escalation_id).where(JoinedAskerRow.question_id == question_id)
            return s.scalars(query).first()

    def unjoin(self, escalation_id: int) -> list[JoinedAsker]:
        """Take every joined asker off the escalation (a superuser split it) and return them."""
        with self._session() as s:
            query = select(JoinedAskerRow).where(JoinedAskerRow.escalation_id == escalation_id)
            rows = [r for r in (frozen(JoinedAsker, r) for r in s.scalars(query.with_for_update())) if r]
            s.execute(delete(JoinedAskerRow).where(JoinedAskerRow.escalation_id == escalation_id))
            return rows

    def raise_urgency(self, escalation_id: int, now: datetime) -> None:
        """Many askers wait: urgent, and the ladder's next step is due now."""
        with self._session() as s:
            row = s.get(EscalationRow, escalation_id, with_for_update=True)
            if row is None or row.status not in WAITING:
                return
            row.urgent = True
            if row.next_ping_at is not None and row.next_ping_at > now:
                row.next_ping_at = now

    def escalations_opened_by(self, platform: str, asker: str, since: datetime) -> int:
        with self._session() as s:
            query = select(func.count(EscalationRow.id)).where(
                EscalationRow.platform == platform, EscalationRow.asker == asker, EscalationRow.created_at >= since
            )
            return int(s.scalar(query) or 0)

    def set_question_outcome(self, question_id: int, outcome: str) -> None:
        with self._session() as s:
            s.execute(update(QuestionRow).where(QuestionRow.id == question_id).values(outcome=outcome))

    def mark_spammer(self, member: str, marked_by: str) -> bool:
        return self._add_once(SpammerRow, member=member, marked_by=marked_by, created_at=self.clock())

    def unmark_spammer(self, member: str) -> bool:
        with self._session() as s:
            removed = s.execute(delete(SpammerRow).where(SpammerRow.member == member).returning(SpammerRow.member))
            return removed.first() is not None

    def spammers(self) -> set[str]:
        with self._session() as s:
            return set(s.scalars(select(SpammerRow.member)))
