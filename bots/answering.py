"""The answer pipeline: retrieve -> one decision (answer / suggest / escalate, urgency included) -> record.

`Answerer.assess` is the decision without side effects: the chat pipeline, the dashboard's "what would the bot
answer" search and anyone else who asks use it. `AnswerPipeline.answer` records the question and, when a person
is needed, hands it to the escalation workflow together with the matches it already found.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from peerbot.bots import messages
from peerbot.bots.conversation import Outcome, Question, Reply
from peerbot.bots.names import record_names
from peerbot.bots.policy import Decision, Thresholds, decide
from peerbot.bots.routing import ROUTING_DEPTH
from peerbot.bots.scope import ScopeCheck, ScopeGuard
from peerbot.bots.urgency import is_urgent
from peerbot.faults import fault_point
from peerbot.knowledge.entries import Audience, Match
from peerbot.knowledge.retriever import Retriever

if TYPE_CHECKING:
    from peerbot.bots.gate_learning import LearnedGate
    from peerbot.bots.handoff import Handoff
    from peerbot.bots.merging import Gatekeeper
    from peerbot.bots.state import StateStore

URGENT_REASON = "urgent: the customer sounds upset"


@dataclass(frozen=True)
class Assessment:
    """What the bot makes of a question before anything is recorded."""

    text: str  # what was searched (the question, cut to max_question_chars)
    matches: list[Match]  # best first, as deep as ROUTING_DEPTH
    decision: Decision  # on the best `top_k` matches
    urgent: bool
    truncated: bool
    scope: ScopeCheck | None = None  # checked only when nothing in the knowledge base helps

    @property
    def outcome(self) -> Outcome:
        """The one decision: an upset asker gets a person unless the bot has a confident answer; a question far
        from everything the community talks about is out of scope, not an escalation."""
        if self.decision.outcome is Outcome.SUGGEST and self.urgent:
            return Outcome.ESCALATE
        if self.decision.outcome is Outcome.ESCALATE and self.scope is not None and not self.scope.in_scope:
            return Outcome.OUT_OF_SCOPE
        return self.decision.outcome

    @property
    def top(self) -> Match | None:
        return self.matches[0] if self.matches else None

    @property
    def reason(self) -> str:
        """Why no answer, in the asker's words."""
        return "no close match" if not self.matches else f"best match only {self.matches[0].confidence:.0%} sure"


class Answerer:
    def __init__(
        self,
        retriever: Retriever,
        thresholds: Thresholds,
        *,
        urgent_sentiment: float,
        max_question_chars: int = 2000,
        top_k: int = 5,
        gate: LearnedGate | None = None,
        scope: ScopeGuard | None = None,
    ) -> None:
        self.retriever = retriever
        self.thresholds = thresholds  # as configured; `gate` adds what feedback has taught
        self.gate = gate
        self.scope = scope
        self.urgent_sentiment = urgent_sentiment
        self.max_question_chars = max_question_chars
        self.top_k = top_k

    def assess(self, text: str, audience: Audience) -> Assessment:
        """Retrieve once (ROUTING_DEPTH deep, so expert routing reuses it), decide on the best `top_k` (the same
        matches as retrieving `top_k`: the depth only cuts the ranked list), and check the mood."""
        text = text.strip()
        search_text = text[: self.max_question_chars]
        matches = self.retriever.retrieve(search_text, audience, max(self.top_k, ROUTING_DEPTH))
        decision = decide(matches[: self.top_k], self.gate.thresholds() if self.gate else self.thresholds)
        urgent = is_urgent(search_text, self.urgent_sentiment)
        scope = self.scope  # one snapshot: a reindex may swap it meanwhile
        checked = scope.check(search_text) if scope is not None and decision.outcome is Outcome.ESCALATE else None
        return Assessment(search_text, matches, decision, urgent, len(text) > self.max_question_chars, checked)


class AnswerPipeline:
    """A question in, a recorded reply out; escalations go to the handoff."""

    def __init__(self, answerer: Answerer, store: StateStore, handoff: Handoff, gate: Gatekeeper | None = None) -> None:
        self.answerer = answerer
        self.store = store
        self.handoff = handoff
        self.gate = gate

    async def answer(self, question: Question) -> Reply:
        text = question.text.strip()
        found = await asyncio.to_thread(self.answerer.assess, text, question.audience)
        question_id = await asyncio.to_thread(self._record, question, text, found)
        fault_point("question-recorded")
        decision = found.decision
        if found.outcome is Outcome.ANSWER:
            reply = Reply(Outcome.ANSWER, messages.answer(decision.matches[0]), decision.matches, question_id)
            if found.urgent:
                follow = await self.handoff.escalate(
                    question, question_id, text, [], URGENT_REASON, urgent=True, evidence=found.matches, once=True
                )
                reply.text += "\n\n" + messages.URGENT_FOLLOW_UP.format(id=follow.escalation_id)
                reply.escalation_id, reply.notify, reply.urgent = follow.escalation_id, follow.notify, True
                reply.escalation = follow.escalation
        elif found.outcome is Outcome.SUGGEST:
            reply = Reply(Outcome.SUGGEST, messages.suggestions(decision.matches), decision.matches, question_id)
        elif found.outcome is Outcome.OUT_OF_SCOPE:  # nobody is pinged unless the asker asks for a person
            topics = self.answerer.scope.topics if self.answerer.scope else ()
            reply = Reply(Outcome.OUT_OF_SCOPE, messages.out_of_scope(topics), [], question_id)
        elif (
            held := await self.gate.before_escalating(question, question_id, text) if self.gate else None
        ) is not None:
            reply = held  # joined an open escalation, or the asker's escalations are throttled: nobody pinged
        else:
            near_misses = found.matches[:3]
            reply = await self.handoff.escalate(
                question,
                question_id,
                text,
                near_misses,
                found.reason,
                urgent=found.urgent,
                evidence=found.matches,
                once=True,
            )
        if found.truncated:
            reply.text += "\n" + messages.TRUNCATED.format(limit=self.answerer.max_question_chars)
            reply.truncated = True
        return reply

    def _record(self, question: Question, text: str, found: Assessment) -> int:
        top = found.top
        record_names(self.store, question)
        return self.store.record_question(
            **question.place(),
            text=text,
            outcome=(  # the retrieval's verdict, before urgency; out of scope when nothing was near the community
                found.outcome.value if found.outcome is Outcome.OUT_OF_SCOPE else found.decision.outcome.value
            ),
            confidence=top.confidence if top else None,
            entry_id=top.entry.id if top else None,
            index_version=self.answerer.retriever.kb.version,
        )
