"""The asker's verdict on a reply ("This solved it", "Not helpful", "Ask a human") and what follows from it."""

from __future__ import annotations

import asyncio
import logging

from peerbot.bots import messages
from peerbot.bots.conversation import WAITING, EscalationStatus, Outcome, Question, Reply, Verdict
from peerbot.bots.gate_learning import LearnedGate
from peerbot.bots.handoff import Handoff
from peerbot.bots.identity import People
from peerbot.bots.state import AskedQuestion, StateStore
from peerbot.knowledge.retriever import Retriever

log = logging.getLogger(__name__)


class Feedback:
    def __init__(
        self, store: StateStore, retriever: Retriever, handoff: Handoff, gate: LearnedGate | None = None
    ) -> None:
        self.store = store
        self.retriever = retriever
        self.handoff = handoff
        self.gate = gate  # learns from every verdict

    async def record(self, question_id: int, user: str, verdict: Verdict | str, *, admin: bool = False) -> Reply:
        """`user` pressed a button under question `question_id`'s reply. Only its asker, a superuser or an admin
        (`admin`: the platform says so) may: anyone else is refused politely and nothing is recorded, so nobody
        can resolve another's escalation or award points through someone else's answer."""
        verdict = Verdict(verdict)
        row = await asyncio.to_thread(self.store.question, question_id)
        if row is None:
            return Reply(Outcome.INVALID, messages.UNKNOWN_QUESTION)
        if not (user == row.asker or admin or self.handoff.superuser(row.platform, user) is not None):
            log.info("feedback refused: not the asker", extra={"question_id": question_id, "verdict": verdict})
            return Reply(Outcome.REFUSED, messages.NOT_YOUR_QUESTION, question_id=question_id)
        await asyncio.to_thread(self.store.record_feedback, question_id, user, verdict)
        log.info("feedback", extra={"question_id": question_id, "verdict": verdict})
        reply = await self._follow_up(row, question_id, verdict)
        await self._learn()
        return reply

    async def _learn(self) -> None:
        """The verdict is a label for the answer gate: it may move (a failure here never loses the reply)."""
        if self.gate is None:
            return
        try:
            step = await asyncio.to_thread(self.gate.learn)
        except Exception:
            log.exception("the answer gate could not learn from feedback")
            return
        if step is not None:
            log.info("answer gate moved", extra={"kind": step.kind, "offset": step.offset, "labels": step.labels})

    async def _follow_up(self, row: AskedQuestion, question_id: int, verdict: Verdict) -> Reply:
        escalations = self.handoff.escalations
        if verdict is Verdict.SOLVED:
            answered = await asyncio.to_thread(escalations.for_question, question_id, (EscalationStatus.ANSWERED,))
            if answered is not None:
                await self.handoff.resolve(answered)
            elif row.outcome == Outcome.ANSWER and row.entry_id:
                await self._deflection_credit(row.entry_id, question_id)
            return Reply(Outcome.COMMAND, messages.THANKS_SOLVED, question_id=question_id)
        if verdict is Verdict.UNHELPFUL:
            return Reply(Outcome.COMMAND, messages.THANKS_UNHELPFUL, question_id=question_id)
        waiting = await asyncio.to_thread(escalations.for_question, question_id, WAITING)
        if waiting is not None:
            return Reply(Outcome.COMMAND, messages.ALREADY_ESCALATED.format(id=waiting.id), escalation_id=waiting.id)
        joined = await asyncio.to_thread(self.store.joined_escalation, question_id)  # waits with others on one
        if joined is not None:
            return Reply(Outcome.COMMAND, messages.ALREADY_ESCALATED.format(id=joined), escalation_id=joined)
        asked = Question(  # escalate where (and as privately as) it was asked: replies in its thread count
            text=row.text,
            asker=row.asker,
            platform=row.platform,
            channel=row.channel,
            thread=row.thread,
            public=row.public,
        )
        return await self.handoff.escalate(asked, question_id, row.text, [], None)

    async def _deflection_credit(self, entry_id: str, question_id: int) -> None:
        """A bot answer built on a superuser's content solved a question: credit to its author."""
        entry = self.retriever.kb.find(entry_id)  # by id: no scan of the knowledge base
        if entry is None or self.handoff.recognition is None:
            return
        person = People(self.handoff.superusers).person_of(entry.author_id)  # written on any of their accounts
        if person is not None:
            recognition = self.handoff.recognition
            notices = await asyncio.to_thread(recognition.award, person, "deflection", f"q{question_id}")
            await self.handoff.outbox.deliver(notices)
