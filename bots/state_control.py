"""The state store's control-room queries (issue #18): dashboard accounts, the audit log, curation of knowledge
entries, usage counts per entry, the escalation inbox and the notices the dashboard leaves for the bot."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import aliased

from peerbot.bots.conversation import WAITING, EscalationStatus
from peerbot.bots.schema import (
    AskedQuestion,
    Escalation,
    EscalationRow,
    FeedbackRow,
    QuestionRow,
    escalation_record,
    frozen,
)
from peerbot.bots.schema_control import (
    AdminAccount,
    AdminAccountRow,
    AuditEntry,
    AuditRow,
    Curation,
    CurationRow,
    WebNoticeRow,
)
from peerbot.bots.schema_names import CHANNEL, MEMBER
from peerbot.bots.state_names import NameQueries

__all__ = ["AdminAccount", "AuditEntry", "ControlQueries", "Curation", "EntryUsage", "LogFilter"]


@dataclass(frozen=True)
class LogFilter:
    platform: str | None = None
    channel: str | None = None
    outcome: str | None = None
    asker: str | None = None
    since: datetime | None = None
    until: datetime | None = None


EntryUsage = tuple[int, int, int]  # served (the bot answered with it), solved, not helpful


def _plain(value: Any) -> Any:
    """A record as JSON for the audit log (datetimes as ISO text)."""
    if value is None:
        return None
    data = asdict(value) if not isinstance(value, dict) else dict(value)
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


class ControlQueries(NameQueries):  # the log's filters accept names (bots/state_names.py)
    # -- accounts -------------------------------------------------------------------------------------------

    def add_admin(self, name: str, role: str, password_hash: str) -> bool:
        """A new dashboard account; False when the name is taken (nothing changes)."""
        return self._add_once(
            AdminAccountRow, name=name, role=role, password_hash=password_hash, created_at=self.clock()
        )

    def admin_account(self, name: str) -> AdminAccount | None:
        with self._session() as s:
            return frozen(AdminAccount, s.get(AdminAccountRow, name))

    def admin_accounts(self) -> list[AdminAccount]:
        with self._session() as s:
            rows = s.scalars(select(AdminAccountRow).order_by(AdminAccountRow.name))
            return [a for a in (frozen(AdminAccount, r) for r in rows) if a is not None]

    def remove_admin(self, name: str) -> bool:
        with self._session() as s:
            return bool(getattr(s.execute(delete(AdminAccountRow).where(AdminAccountRow.name == name)), "rowcount", 0))

    # -- the audit log --------------------------------------------------------------------------------------

    def audit(self, admin: str, action: str, target: str, before: Any = None, after: Any = None) -> int:
        with self._session() as s:
            row = AuditRow(
                at=self.clock(), admin=admin, action=action, target=target, before=_plain(before), after=_plain(after)
            )
            s.add(row)
            s.flush()
            return row.id

    def audit_log(self, limit: int = 100, offset: int = 0, target: str | None = None) -> list[AuditEntry]:
        with self._session() as s:
            query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit).offset(offset)
            if target is not None:
                query = query.where(AuditRow.target == target)
            return [a for a in (frozen(AuditEntry, r) for r in s.scalars(query)) if a is not None]

    # -- curation -------------------------------------------------------------------------------------------

    def curation_key(self) -> tuple[int, int]:
        """Changes whenever any curation changes (rows, and the sum of their revisions): cheap to ask per question."""
        with self._session() as s:
            count, revisions = s.execute(select(func.count(), func.coalesce(func.sum(CurationRow.revision), 0))).one()
            return int(count), int(revisions)

    def curations(self) -> dict[str, Curation]:
        with self._session() as s:
            rows = s.scalars(select(CurationRow))
            return {c.entry_id: c for c in (frozen(Curation, r) for r in rows) if c is not None}

    def curate(self, entry_id: str, admin: str, action: str, **changes: Any) -> tuple[Curation | None, Curation]:
        """Change an entry's curation (`hidden`, `answer`, `pinned_reply`, `held`) and record it in the audit log, in
        one transaction."""
        now = self.clock()
        with self._session() as s:
            row = s.get(CurationRow, entry_id, with_for_update=True)
            before = frozen(Curation, row)
            if row is None:
                row = CurationRow(entry_id=entry_id, hidden=False, answer=None, revision=0, held=False)
                s.add(row)
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_by, row.updated_at, row.revision = admin, now, (row.revision or 0) + 1
            s.flush()
            after = frozen(Curation, row)
            assert after is not None
            keep = ("hidden", "answer", "pinned_reply", "held")
            s.add(
                AuditRow(
                    at=now,
                    admin=admin,
                    action=action,
                    target=f"entry {entry_id}",
                    before={k: getattr(before, k) for k in keep} if before else None,
                    after={k: getattr(after, k) for k in keep},
                )
            )
            return before, after

    def held_entries(self) -> list[Curation]:
        """Captured answers held for a moderator's approval (`curation.approve_before_serving`), oldest first."""
        with self._session() as s:
            rows = s.scalars(select(CurationRow).where(CurationRow.held).order_by(CurationRow.updated_at))
            return [c for c in (frozen(Curation, r) for r in rows) if c is not None]

    def entry_usage(self, entry_id: str | None = None) -> dict[str, EntryUsage]:
        """Per entry (or for one): questions the bot answered with it, and the 'solved' / 'not helpful' feedback
        on them."""
        which = QuestionRow.entry_id.is_not(None) if entry_id is None else QuestionRow.entry_id == entry_id
        with self._session() as s:
            served = s.execute(  # the outcome test inside the sum: one pass over the (entry_id, outcome) index
                select(QuestionRow.entry_id, func.sum(case((QuestionRow.outcome == "answer", 1), else_=0)))
                .where(which)
                .group_by(QuestionRow.entry_id)
            ).all()
            votes = s.execute(
                select(
                    QuestionRow.entry_id,
                    func.sum(case((FeedbackRow.verdict == "solved", 1), else_=0)),
                    func.sum(case((FeedbackRow.verdict == "unhelpful", 1), else_=0)),
                )
                .select_from(FeedbackRow)
                .join(QuestionRow, FeedbackRow.question_id == QuestionRow.id)
                .where(which, QuestionRow.outcome == "answer")
                .group_by(QuestionRow.entry_id)
            ).all()
        usage = {str(e): (int(n or 0), 0, 0) for e, n in served if n}
        for entry_id, solved, unhelpful in votes:
            usage[str(entry_id)] = (usage.get(str(entry_id), (0, 0, 0))[0], int(solved or 0), int(unhelpful or 0))
        return usage

    # -- the escalation inbox -------------------------------------------------------------------------------

    def inbox(self, statuses: tuple[str, ...], limit: int = 50, offset: int = 0) -> list[Escalation]:
        with self._session() as s:
            query = (
                select(EscalationRow)
                .where(EscalationRow.status.in_(statuses))
                .order_by(EscalationRow.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [e for e in (escalation_record(r) for r in s.scalars(query)) if e is not None]

    def assign_escalation(self, escalation_id: int, superuser: str) -> tuple[Escalation, Escalation] | None:
        """Claim a waiting escalation for `superuser`, or hand a claimed one to them: (before, after)."""
        now = self.clock()
        with self._session() as s:
            row = s.get(EscalationRow, escalation_id, with_for_update=True)
            if row is None or row.status not in WAITING:
                return None
            before = escalation_record(row)
            row.status, row.claimed_by, row.claimed_at = EscalationStatus.CLAIMED, superuser, now
            row.next_ping_at, row.updated_at = None, now
            s.flush()
            after = escalation_record(row)
            assert before is not None and after is not None
            return before, after

    def close_escalation(self, escalation_id: int) -> tuple[Escalation, Escalation] | None:
        """An answered escalation is resolved (without joining the knowledge base); a waiting one expires."""
        now = self.clock()
        with self._session() as s:
            row = s.get(EscalationRow, escalation_id, with_for_update=True)
            if row is None or row.status not in (*WAITING, EscalationStatus.ANSWERED):
                return None
            before = escalation_record(row)
            if row.status == EscalationStatus.ANSWERED:
                row.status, row.resolved_at = EscalationStatus.RESOLVED, now
            else:
                row.status = EscalationStatus.EXPIRED
            row.next_ping_at, row.updated_at = None, now
            s.flush()
            after = escalation_record(row)
            assert before is not None and after is not None
            return before, after

    # -- the conversation log ------------------------------------------------------------------------------

    def conversation_log(
        self, filters: LogFilter, limit: int = 50, offset: int = 0
    ) -> tuple[list[AskedQuestion], int, dict[int, list[Escalation]], dict[int, list[str]]]:
        """One page of questions (newest first) matching the filters, how many match, and for the page's questions
        their escalations and feedback verdicts."""
        where = []
        if filters.platform:
            where.append(QuestionRow.platform == filters.platform)
        if filters.channel:  # an id, or a name the adapters recorded (#help)
            where.append(QuestionRow.channel.in_([filters.channel, *self.ids_named(CHANNEL, filters.channel)]))
        if filters.outcome:
            where.append(QuestionRow.outcome == filters.outcome)
        if filters.asker:  # an id, or a member's name (Mara Quinn)
            where.append(QuestionRow.asker.in_([filters.asker, *self.ids_named(MEMBER, filters.asker)]))
        if filters.since is not None:
            where.append(QuestionRow.created_at >= filters.since)
        if filters.until is not None:
            where.append(QuestionRow.created_at < filters.until)
        with self._session() as s:
            total = int(s.scalar(select(func.count()).select_from(QuestionRow).where(*where)) or 0)
            rows = s.scalars(
                select(QuestionRow).where(*where).order_by(QuestionRow.id.desc()).limit(limit).offset(offset)
            )
            page = [q for q in (frozen(AskedQuestion, r) for r in rows) if q is not None]
            ids = [q.id for q in page]
            escalations: dict[int, list[Escalation]] = {}
            for row in s.scalars(select(EscalationRow).where(EscalationRow.question_id.in_(ids))):
                found = escalation_record(row)
                if found is not None:
                    escalations.setdefault(found.question_id, []).append(found)
            verdicts: dict[int, list[str]] = {}
            for qid, verdict in s.execute(
                select(FeedbackRow.question_id, FeedbackRow.verdict).where(FeedbackRow.question_id.in_(ids))
            ):
                verdicts.setdefault(int(qid), []).append(str(verdict))
        return page, total, escalations, verdicts

    def log_choices(self) -> dict[str, list[str]]:
        """The platforms and channels questions came from (and each channel's platform), for the log's filters."""
        with self._session() as s:
            platforms = s.scalars(select(QuestionRow.platform).distinct().order_by(QuestionRow.platform))
            places = s.execute(
                select(QuestionRow.platform, QuestionRow.channel)
                .where(QuestionRow.channel.is_not(None))
                .distinct()
                .order_by(QuestionRow.channel, QuestionRow.platform)
            ).all()
            return {
                "platforms": [str(p) for p in platforms],
                "channels": sorted({str(c) for _, c in places}),
                "places": [f"{p}\t{c}" for p, c in places],  # platform TAB channel: the menu's labels
            }

    # -- the return on the community ------------------------------------------------------------------------

    def deflection_per_day(self, since: datetime) -> list[tuple[date, int, int]]:
        """Per day since `since`: questions, and those deflected (the overview's definition: the bot answered, no
        escalation, and solved or not reported unhelpful). Counted as answered minus the few answered questions
        that were escalated or reported unhelpful, so no query looks at every question more than once."""
        day = func.date(QuestionRow.created_at)
        answered = case((QuestionRow.outcome == "answer", 1), else_=0)
        recent = and_(QuestionRow.created_at >= since, QuestionRow.outcome == "answer")
        other = aliased(FeedbackRow)
        solved = select(other.id).where(other.question_id == QuestionRow.id, other.verdict == "solved").exists()
        with self._session() as s:
            totals = s.execute(
                select(day, func.count(), func.sum(answered))
                .where(QuestionRow.created_at >= since)
                .group_by(day)
                .order_by(day)
            ).all()
            escalated = s.execute(
                select(QuestionRow.id, day)
                .join(EscalationRow, EscalationRow.question_id == QuestionRow.id)
                .where(recent)
            ).all()
            unhelpful = s.execute(
                select(QuestionRow.id, day)
                .join(FeedbackRow, FeedbackRow.question_id == QuestionRow.id)
                .where(recent, FeedbackRow.verdict == "unhelpful", ~solved)
            ).all()
        not_deflected: dict[int, str] = {int(q): str(d) for q, d in [*escalated, *unhelpful]}
        lost: dict[str, int] = {}
        for d in not_deflected.values():
            lost[d] = lost.get(d, 0) + 1
        return [
            (d if isinstance(d, date) else date.fromisoformat(str(d)), int(n), int(k or 0) - lost.get(str(d), 0))
            for d, n, k in totals
        ]

    def human_answers_since(self, since: datetime) -> list[tuple[datetime, datetime, str | None]]:
        """(answered_at, created_at, answered_by) of escalations a person answered since `since`."""
        with self._session() as s:
            rows = s.execute(
                select(EscalationRow.answered_at, EscalationRow.created_at, EscalationRow.answered_by).where(
                    EscalationRow.answered_at >= since,
                    EscalationRow.status.in_((EscalationStatus.ANSWERED, EscalationStatus.RESOLVED)),
                )
            ).all()
        return [(a, c, who) for a, c, who in rows if a is not None]

    # -- notices from the dashboard to the running bot ------------------------------------------------------

    def queue_notice(self, notice: dict[str, Any]) -> int:
        with self._session() as s:
            row = WebNoticeRow(created_at=self.clock(), notice=notice, sent_at=None)
            s.add(row)
            s.flush()
            return row.id

    def take_notices(self, limit: int = 50) -> list[dict[str, Any]]:
        """The queued notices, each handed out once (marked sent in the same transaction)."""
        with self._session() as s:
            rows = list(
                s.scalars(
                    select(WebNoticeRow)
                    .where(WebNoticeRow.sent_at.is_(None))
                    .order_by(WebNoticeRow.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                row.sent_at = self.clock()
            return [dict(row.notice) for row in rows]
