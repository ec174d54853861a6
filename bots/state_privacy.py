"""The state store's consent queries: forget an author everywhere the store keeps them, list, undo."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update

from peerbot.bots.schema import (
    BadgeRow,
    EscalationRow,
    FeedbackRow,
    ForgottenAuthor,
    PointsRow,
    Queries,
    QuestionRow,
    ReviewRow,
    SuperuserStatusRow,
)
from peerbot.bots.schema_followups import FollowupThreadRow
from peerbot.bots.schema_names import MEMBER, NameRow


@dataclass(frozen=True)
class Forgotten:
    """What `forget_author` removed from the store."""

    questions: int = 0
    escalations: int = 0
    answers: int = 0  # escalations they answered: the answer is erased, the asker's question stays
    reviews: int = 0
    feedback: int = 0
    points: int = 0
    badges: int = 0

    @property
    def total(self) -> int:
        return sum(vars(self).values())


class PrivacyQueries(Queries):
    def forget_author(self, author: str) -> Forgotten:
        """Delete everything the store keeps of `author` (an id or a name, any case) and keep them out of later
        reindexes, in one transaction."""
        who = author.lower()
        with self._session() as s:
            asked = select(QuestionRow.id).where(func.lower(QuestionRow.asker) == who)
            their_escalations = select(EscalationRow.id).where(
                or_(func.lower(EscalationRow.asker) == who, EscalationRow.question_id.in_(asked))
            )
            reviews = s.execute(
                delete(ReviewRow).where(
                    or_(
                        func.lower(ReviewRow.author) == who,
                        func.lower(ReviewRow.author_name) == who,
                        ReviewRow.escalation_id.in_(their_escalations),
                    )
                )
            )
            feedback = s.execute(
                delete(FeedbackRow).where(or_(func.lower(FeedbackRow.user) == who, FeedbackRow.question_id.in_(asked)))
            )
            escalations = s.execute(delete(EscalationRow).where(EscalationRow.id.in_(their_escalations)))
            answers = s.execute(
                update(EscalationRow)
                .where(func.lower(EscalationRow.answered_by) == who)
                .values(answered_by=None, answer=None)
            )
            questions = s.execute(delete(QuestionRow).where(func.lower(QuestionRow.asker) == who))
            points = s.execute(delete(PointsRow).where(func.lower(PointsRow.superuser) == who))
            badges = s.execute(delete(BadgeRow).where(func.lower(BadgeRow.superuser) == who))
            s.execute(delete(SuperuserStatusRow).where(func.lower(SuperuserStatusRow.superuser) == who))
            s.execute(delete(FollowupThreadRow).where(func.lower(FollowupThreadRow.asker) == who))
            s.execute(  # their name as the dashboard showed it
                delete(NameRow).where(
                    NameRow.kind == MEMBER, or_(func.lower(NameRow.id) == who, func.lower(NameRow.name) == who)
                )
            )
            results = (questions, escalations, answers, reviews, feedback, points, badges)
            found = Forgotten(*(int(getattr(r, "rowcount", 0) or 0) for r in results))
        self._add_once(ForgottenAuthor, author=who, created_at=self.clock())
        return found

    def forgotten_authors(self) -> list[str]:
        with self._session() as s:
            return list(s.scalars(select(ForgottenAuthor.author).order_by(ForgottenAuthor.author)))

    def unforget_author(self, author: str) -> bool:
        """Stop keeping `author` out of later reindexes; True if they were. Deleted records stay deleted."""
        with self._session() as s:
            result = s.execute(delete(ForgottenAuthor).where(ForgottenAuthor.author == author.lower()))
            return bool(getattr(result, "rowcount", 0))
