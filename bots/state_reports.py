"""The state store's reads for reports (the dashboard): questions, escalations and feedback over a period,
and the raw tables as CSV-ready columns and rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, literal, select, union_all

from peerbot.bots.conversation import EscalationStatus, Outcome, Verdict
from peerbot.bots.schema import (
    AskedQuestion,
    Base,
    Escalation,
    EscalationRow,
    FeedbackRow,
    Queries,
    QuestionRow,
    escalation_record,
    frozen,
)

EXPORTED_TABLES = ("questions", "escalations", "feedback", "points", "badges", "review_queue")


@dataclass(frozen=True)
class EscalationTiming:
    """What the escalation numbers need of an escalation (read as columns: no full record per escalation)."""

    status: str
    created_at: datetime
    answered_at: datetime | None
    resolved_at: datetime | None
    answered_by: str | None
    claimed_by: str | None


Place = tuple[date, str, str | None, str]  # a question's day, platform, channel and recorded outcome


def _day(value: Any) -> date:
    """SQL's date(): a string on SQLite, a date on PostgreSQL."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class ReportQueries(Queries):
    def questions_since(self, since: datetime | None = None) -> list[AskedQuestion]:
        with self._session() as s:
            query = select(QuestionRow).order_by(QuestionRow.created_at, QuestionRow.id)
            if since is not None:
                query = query.where(QuestionRow.created_at >= since)
            return [q for q in (frozen(AskedQuestion, row) for row in s.scalars(query)) if q is not None]

    def escalations_since(self, since: datetime | None = None) -> list[Escalation]:
        with self._session() as s:
            query = select(EscalationRow).order_by(EscalationRow.id)
            if since is not None:
                query = query.where(EscalationRow.created_at >= since)
            return [e for e in (escalation_record(row) for row in s.scalars(query)) if e is not None]

    def question_groups_since(self, since: datetime | None = None) -> list[tuple[Place, int]]:
        """How many questions were asked per day, platform, channel and recorded outcome (counted in SQL)."""
        day = func.date(QuestionRow.created_at)
        keys = (day, QuestionRow.platform, QuestionRow.channel, QuestionRow.outcome)
        query = select(*keys, func.count()).group_by(*keys)
        if since is not None:
            query = query.where(QuestionRow.created_at >= since)
        with self._session() as s:
            return [((_day(d), str(p), c, str(o)), int(n)) for d, p, c, o, n in s.execute(query)]

    def question_marks_since(self, since: datetime | None = None) -> list[tuple[int, Place, str, str]]:
        """The questions that have an escalation or feedback: (question id, its place as in
        `question_groups_since`, "escalation" or "feedback", the escalation's status or the verdict), one row
        per escalation or feedback."""
        day = func.date(QuestionRow.created_at)
        place = (QuestionRow.id, day, QuestionRow.platform, QuestionRow.channel, QuestionRow.outcome)
        escalated = select(*place, literal("escalation"), EscalationRow.status).join(
            EscalationRow, EscalationRow.question_id == QuestionRow.id
        )
        rated = select(*place, literal("feedback"), FeedbackRow.verdict).join(
            FeedbackRow, FeedbackRow.question_id == QuestionRow.id
        )
        if since is not None:
            escalated = escalated.where(QuestionRow.created_at >= since)
            rated = rated.where(QuestionRow.created_at >= since)
        with self._session() as s:
            return [
                (int(q), (_day(d), str(p), c, str(o)), str(kind), str(value))
                for q, d, p, c, o, kind, value in s.execute(union_all(escalated, rated))
            ]

    def question_texts_since(self, since: datetime | None = None) -> list[tuple[datetime, str]]:
        """(asked at, text) of each question, oldest first: the columns only, for what reads every question."""
        query = select(QuestionRow.created_at, QuestionRow.text).order_by(QuestionRow.created_at, QuestionRow.id)
        if since is not None:
            query = query.where(QuestionRow.created_at >= since)
        with self._session() as s:
            return [(at, str(text)) for at, text in s.execute(query)]

    def escalation_timings_since(self, since: datetime | None = None) -> list[EscalationTiming]:
        """The escalations created since `since`, oldest first, as their status, times and people."""
        e = EscalationRow
        query = select(e.status, e.created_at, e.answered_at, e.resolved_at, e.answered_by, e.claimed_by).order_by(e.id)
        if since is not None:
            query = query.where(e.created_at >= since)
        with self._session() as s:
            return [EscalationTiming(str(row[0]), *row[1:]) for row in s.execute(query)]

    def urgent_escalations_since(self, since: datetime | None = None, limit: int = 10) -> list[Escalation]:
        """The newest urgent escalations created since `since`, newest first."""
        query = select(EscalationRow).where(EscalationRow.urgent.is_(True)).order_by(EscalationRow.id.desc())
        if since is not None:
            query = query.where(EscalationRow.created_at >= since)
        with self._session() as s:
            return [e for e in (escalation_record(row) for row in s.scalars(query.limit(limit))) if e is not None]

    def verdicts_by_question(self) -> dict[int, set[str]]:
        verdicts: dict[int, set[str]] = defaultdict(set)
        with self._session() as s:
            for question_id, verdict in s.execute(select(FeedbackRow.question_id, FeedbackRow.verdict)):
                verdicts[question_id].add(verdict)
        return verdicts

    def escalation_statuses(self) -> list[tuple[int, str]]:
        """(question id, status) of every escalation, oldest first."""
        with self._session() as s:
            rows = s.execute(select(EscalationRow.question_id, EscalationRow.status).order_by(EscalationRow.id))
            return [(int(q), str(status)) for q, status in rows]

    def unanswered_question_texts(
        self, since: datetime | None = None, *, public_only: bool = False, latest: int | None = None
    ) -> list[str]:
        """Questions escalated for want of an answer, or whose answer was reported unhelpful or not enough, oldest
        first (`public_only`: only those asked where anyone can read them; `latest`: only the latest so many)."""
        return [text for text, _ in self.gap_questions_since(since, public_only=public_only, latest=latest)]

    def gap_questions_since(
        self, since: datetime | None = None, *, public_only: bool = False, latest: int | None = None
    ) -> list[tuple[str, bool]]:
        """The unanswered questions (as `unanswered_question_texts`), each with whether a person's answer to it has
        since been accepted (an escalation of it resolved)."""
        with self._session() as s:
            flagged = select(FeedbackRow.question_id).where(FeedbackRow.verdict.in_((Verdict.UNHELPFUL, Verdict.HUMAN)))
            accepted = select(EscalationRow.question_id).where(EscalationRow.status == EscalationStatus.RESOLVED)
            query = select(QuestionRow.text, QuestionRow.id.in_(accepted)).where(
                (QuestionRow.outcome == Outcome.ESCALATE) | QuestionRow.id.in_(flagged)
            )
            if since is not None:
                query = query.where(QuestionRow.created_at >= since)
            if public_only:
                query = query.where(QuestionRow.public.is_(True))
            if latest is not None:
                rows = list(reversed(s.execute(query.order_by(QuestionRow.id.desc()).limit(latest)).all()))
            else:
                rows = list(s.execute(query.order_by(QuestionRow.id)).all())
            return [(str(text), bool(done)) for text, done in rows]

    def export_table(self, name: str, since: datetime | None = None) -> tuple[list[str], list[list[Any]]]:
        """One of EXPORTED_TABLES as its column names and rows (created, or earned, since `since`)."""
        if name not in EXPORTED_TABLES:
            raise ValueError(f"no table {name!r} to export (tables: {', '.join(EXPORTED_TABLES)})")
        table = Base.metadata.tables[name]
        query = select(table)
        if since is not None and "created_at" in table.c:
            query = query.where(table.c.created_at >= since)
        if since is not None and "earned_at" in table.c:
            query = query.where(table.c.earned_at >= since)
        with self._session() as s:
            return [c.name for c in table.columns], [list(r) for r in s.execute(query)]
