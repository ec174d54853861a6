"""The state store's gate queries: labels from what askers said about replies, and the gate's steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from peerbot.bots.conversation import EscalationStatus, Outcome, Verdict
from peerbot.bots.schema import EscalationRow, FeedbackRow, Queries, QuestionRow, frozen
from peerbot.bots.schema_gate import GateLabel, GateStep, GateStepRow

ACCEPTED = "accepted escalation"


class GateQueries(Queries):
    def gate_labels(self, since: datetime | None = None) -> list[GateLabel]:
        """Judged replies, oldest first. The asker's first verdict on an answer or a suggestion says whether its
        top match was right ("This solved it") or not ("Not helpful", "Ask a human"); an escalated question whose
        human answer was accepted counts as one the top match did not solve."""
        labels: list[GateLabel] = []
        with self._session() as s:
            judged = (
                select(QuestionRow.id, QuestionRow.confidence, FeedbackRow.verdict, FeedbackRow.created_at)
                .join(FeedbackRow, FeedbackRow.question_id == QuestionRow.id)
                .where(QuestionRow.outcome.in_((Outcome.ANSWER, Outcome.SUGGEST)))
                .where(QuestionRow.confidence.is_not(None))
                .order_by(FeedbackRow.id)
            )
            seen: set[int] = set()
            for qid, confidence, verdict, at in s.execute(judged):
                if qid in seen or confidence is None:
                    continue  # later verdicts judge what followed (a person's answer), not the bot's reply
                seen.add(qid)
                labels.append(GateLabel(qid, at, confidence, verdict == Verdict.SOLVED, str(verdict)))
            accepted = (
                select(QuestionRow.id, QuestionRow.confidence, EscalationRow.resolved_at)
                .join(EscalationRow, EscalationRow.question_id == QuestionRow.id)
                .where(QuestionRow.outcome == Outcome.ESCALATE, QuestionRow.confidence.is_not(None))
                .where(EscalationRow.status == EscalationStatus.RESOLVED, EscalationRow.resolved_at.is_not(None))
            )
            for qid, confidence, resolved in s.execute(accepted):
                if qid not in seen and confidence is not None and resolved is not None:
                    seen.add(qid)
                    labels.append(GateLabel(qid, resolved, confidence, False, ACCEPTED))
        labels.sort(key=lambda label: (label.created_at, label.question_id))
        return [label for label in labels if since is None or label.created_at > since]

    def gate_labels_at_most(self, since: datetime | None) -> int:
        """At least as many as the labels `gate_labels(since)` would return, from two counts (each verdict and
        each resolved escalation since then): the timer's cheap check before it reads the labels."""
        with self._session() as s:
            verdicts = select(func.count(FeedbackRow.id))
            resolved = select(func.count(EscalationRow.id)).where(EscalationRow.resolved_at.is_not(None))
            if since is not None:
                verdicts = verdicts.where(FeedbackRow.created_at > since)
                resolved = resolved.where(EscalationRow.resolved_at > since)
            return int(s.scalar(verdicts) or 0) + int(s.scalar(resolved) or 0)

    def last_gate_step(self, kind: str | None = None) -> GateStep | None:
        """The newest step (of this kind, e.g. "reset")."""
        with self._session() as s:
            query = select(GateStepRow).order_by(GateStepRow.id.desc()).limit(1)
            if kind is not None:
                query = query.where(GateStepRow.kind == kind)
            return frozen(GateStep, s.scalars(query).first())

    def gate_steps(self, limit: int = 10) -> list[GateStep]:
        """The newest steps first."""
        with self._session() as s:
            rows = s.scalars(select(GateStepRow).order_by(GateStepRow.id.desc()).limit(limit))
            return [step for row in rows if (step := frozen(GateStep, row)) is not None]

    def add_gate_step(self, after: int, **values: Any) -> GateStep | None:
        """The new step, or None when another replica stepped after `after` first."""
        if not self._add_once(GateStepRow, after=after, created_at=self.clock(), **values):
            return None
        return self.last_gate_step()
