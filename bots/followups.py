"""Follow-ups in the thread (issue 17): the asker's later messages in a conversation the bot answered.

Every question the answer pipeline answers, suggests threads for or escalates opens a conversation, kept in the
state store (bots/state_followups.py) so a restarted bot or another replica continues it: the question, the details
the asker added since, the entries already shown. Its key is the platform's thread; where a question has no thread
of its own (the console, a Discord DM or private thread) it is the channel and the asker, and only "didn't work" /
"thanks" continue it: anything else there is a new question. Only the asker's messages count; anyone else in the
thread is handled as before.

What the asker said (bots/followup_classifier.py) decides what follows:

- "thanks, that fixed it": the same as pressing "This solved it" under the newest reply (solved, the gate's label,
  a superuser's deflection points, a person's answer accepted and captured).
- "didn't work" / "not helpful" / "still broken": the "Not helpful" label on the newest reply (once), then the next
  best trusted answer not shown yet (the question and the details searched again, the same answer threshold as a
  first answer), or an escalation whose note carries the thread: the question, the details, what was shown.
- "ok, I'll try that": left alone (nothing to answer yet).
- anything else adds a detail: searched again with the question, answered / suggested / escalated as a new
  question would be, skipping what was shown unless nothing else qualifies.

While people are asked (an escalation waits), "didn't work" says so and a detail is added to the escalation's
question instead of searching again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from peerbot.bots import messages
from peerbot.bots import messages_followups as words
from peerbot.bots.conversation import WAITING, Outcome, Question, Reply, Verdict
from peerbot.bots.followup_classifier import FollowUp, Said, classify, leads_with_verdict
from peerbot.bots.names import record_names
from peerbot.bots.policy import Decision, decide
from peerbot.bots.routing import ROUTING_DEPTH
from peerbot.bots.schema_followups import SOLVED, FollowupThread
from peerbot.knowledge.entries import Audience, Match

if TYPE_CHECKING:
    from peerbot.bots.answering import Answerer
    from peerbot.bots.feedback import Feedback
    from peerbot.bots.handoff import Handoff
    from peerbot.bots.merging import Gatekeeper
    from peerbot.bots.state import StateStore

log = logging.getLogger(__name__)

OPENS = (Outcome.ANSWER, Outcome.SUGGEST, Outcome.ESCALATE)  # replies that open a conversation
JUDGED = (Outcome.ANSWER.value, Outcome.SUGGEST.value)  # replies whose "Not helpful" is a label for the gate


def new_in_place(question: Question, said: FollowUp) -> bool:
    """Where there is no thread, only "didn't work" / "thanks, that fixed it" (with more after it or not)
    continues the conversation: a message that mentions a verdict inside ("the app crashes on the rooms tab,
    reinstalling didn't help") is a new question, like any other."""
    if not threadless(question):
        return False
    return said.said in (Said.DETAIL, Said.ACK) or (said.detail is not None and not leads_with_verdict(question.text))


def threadless(question: Question) -> bool:
    """No thread of its own: the console, or a thread that is the whole channel (a Discord DM or private thread).
    There the conversation is the asker's newest question, and only "didn't work" / "thanks" continue it."""
    return question.thread is None or question.thread == question.channel


def conversation_key(question: Question) -> str:
    """The platform's thread; where there is none of its own, the channel and the asker."""
    return f"{question.channel or ''}|{question.asker}" if threadless(question) else str(question.thread)


def shown_record(match: Match) -> dict[str, Any]:
    entry = match.entry
    return {"id": entry.id, "title": entry.title[:200], "public": entry.visibility == "public"}


def context_note(conversation: FollowupThread) -> str:
    """The question as superusers see it: the asker's words, what they added, what was shown (private entries
    counted, never named: the note may be read outside the private channel)."""
    lines = [conversation.question.strip()]
    if conversation.details:
        lines.append(words.NOTE_DETAILS.format(details=" / ".join(d.strip() for d in conversation.details)))
    titles = [f'"{s["title"]}"' for s in conversation.shown if s.get("public")]
    private = sum(1 for s in conversation.shown if not s.get("public"))
    if private:
        titles.append(words.NOTE_PRIVATE.format(count=private))
    if titles:
        lines.append(words.NOTE_SHOWN.format(shown="; ".join(titles)))
    return "\n".join(lines)


class FollowUps:
    def __init__(
        self,
        store: StateStore,
        answerer: Answerer,
        handoff: Handoff,
        feedback: Feedback,
        gatekeeper: Gatekeeper,
        *,
        enabled: bool = True,
    ) -> None:
        self.store = store
        self.answerer = answerer
        self.handoff = handoff
        self.feedback = feedback
        self.gatekeeper = gatekeeper
        self.enabled = enabled

    # -- which messages are follow-ups ----------------------------------------------------------------------

    def conversation(self, question: Question) -> FollowupThread | None:
        """The asker's conversation this message continues, if any."""
        if not self.enabled:
            return None
        found = self.store.followup_thread(question.platform, conversation_key(question))
        return found if found is not None and found.asker == question.asker else None

    async def is_follow_up(self, question: Question) -> bool:
        found = await asyncio.to_thread(self.conversation, question)
        said = classify(question.text)
        return found is not None and said.said is not Said.ACK and not new_in_place(question, said)

    async def opened(self, question: Question, reply: Reply) -> None:
        """The answer pipeline replied to a new question: its conversation starts (a thread is its first asker's)."""
        if not self.enabled or reply.question_id is None or reply.outcome not in OPENS:
            return
        shown = [shown_record(m) for m in reply.matches] if reply.outcome is not Outcome.ESCALATE else []
        await asyncio.to_thread(
            self.store.start_followup_thread,
            replace=threadless(question),
            platform=question.platform,
            key=conversation_key(question),
            asker=question.asker,
            channel=question.channel,
            thread=question.thread,
            public=question.public,
            question_id=reply.question_id,
            question=question.text.strip(),
            shown=shown,
        )

    # -- the reply ------------------------------------------------------------------------------------------

    async def respond(self, question: Question) -> Reply | None:
        """The reply to a follow-up, or None: not one (a new question for the answer pipeline)."""
        found = await asyncio.to_thread(self.conversation, question)
        if found is None:
            return None
        said = classify(question.text)
        if new_in_place(question, said):
            return None
        if said.said is Said.ACK:  # left alone in threads; asked by an @mention, a short word back
            return Reply(Outcome.COMMAND, words.ACKNOWLEDGED)
        log.info("follow-up", extra={"platform": question.platform, "said": said.said.value, "thread_id": found.id})
        if said.said is Said.SOLVED:
            return await self._solved(found)
        negative = said.said is Said.NEGATIVE
        if negative:
            await self._not_helpful(found)
        conversation = await asyncio.to_thread(self.store.continue_followup_thread, found.id, detail=said.detail)
        conversation = conversation or found
        waiting = await asyncio.to_thread(self._waiting, conversation.last_question_id)
        if waiting is not None:
            if said.detail:
                await asyncio.to_thread(self.store.set_waiting_question, waiting, context_note(conversation))
            text = messages.ALREADY_ESCALATED if negative else words.DETAIL_ADDED
            return Reply(Outcome.COMMAND, text.format(id=waiting), escalation_id=waiting)
        return await self._again(question, conversation, negative)

    async def _solved(self, conversation: FollowupThread) -> Reply:
        """ "This solved it" on the newest reply, unless the asker said so already."""
        question_id = conversation.last_question_id
        verdicts = await asyncio.to_thread(self.store.feedback_for, question_id)
        if any(v.user == conversation.asker and v.verdict == Verdict.SOLVED for v in verdicts):
            reply = Reply(Outcome.COMMAND, messages.THANKS_SOLVED, question_id=question_id)
        else:
            reply = await self.feedback.record(question_id, conversation.asker, Verdict.SOLVED)
        waiting = await asyncio.to_thread(self.handoff.escalations.for_question, question_id, WAITING)
        if waiting is not None:  # solved before anyone answered: nobody is pinged about it any more
            await asyncio.to_thread(self.store.close_escalation, waiting.id)
            log.info("escalation closed: the asker solved it", extra={"escalation_id": waiting.id})
        await asyncio.to_thread(self.store.continue_followup_thread, conversation.id, status=SOLVED)
        return reply

    async def _not_helpful(self, conversation: FollowupThread) -> None:
        """The "Not helpful" label on the bot's newest answer or suggestions, once (a button press counts too)."""
        question_id = conversation.last_question_id
        row = await asyncio.to_thread(self.store.question, question_id)
        if row is None or row.outcome not in JUDGED:
            return
        verdicts = await asyncio.to_thread(self.store.feedback_for, question_id)
        if any(v.user == conversation.asker and v.verdict != Verdict.SOLVED for v in verdicts):
            return
        await self.feedback.record(question_id, conversation.asker, Verdict.UNHELPFUL)

    def _waiting(self, question_id: int) -> int | None:
        """The escalation people are still asked about for this question (its own, or one it joined)."""
        own = self.handoff.escalations.for_question(question_id, WAITING)
        if own is not None:
            return own.id
        joined = self.store.joined_escalation(question_id)
        row = self.store.escalation(joined) if joined is not None else None
        return row.id if row is not None and row.status in WAITING else None

    def _assess(self, conversation: FollowupThread, audience: Audience, negative: bool) -> tuple[Decision, list[Match]]:
        """Search the question and its details again; decide on what was not shown yet. After "didn't work" only a
        trusted answer will do (else a person); after a detail, what was shown counts when nothing else does."""
        answerer = self.answerer
        text = conversation.search_text[: answerer.max_question_chars]
        matches = answerer.retriever.retrieve(text, audience, max(answerer.top_k, ROUTING_DEPTH))
        thresholds = answerer.gate.thresholds() if answerer.gate else answerer.thresholds
        fresh = [m for m in matches if m.entry.id not in conversation.shown_ids]
        decision = decide(fresh[: answerer.top_k], thresholds)
        if negative and decision.outcome is Outcome.SUGGEST:
            decision = Decision(Outcome.ESCALATE, decision.matches[:3])
        elif not negative and decision.outcome is Outcome.ESCALATE:
            again = decide(matches[: answerer.top_k], thresholds)
            decision = again if again.outcome is not Outcome.ESCALATE else decision
        return decision, matches

    async def _again(self, question: Question, conversation: FollowupThread, negative: bool) -> Reply:
        decision, matches = await asyncio.to_thread(self._assess, conversation, question.audience, negative)
        question_id = await asyncio.to_thread(self._record, question, conversation, decision, matches)
        intro = words.NEXT_ANSWER if negative else words.WITH_DETAIL
        shown: list[Match] = []
        if decision.outcome is Outcome.ANSWER:
            shown = decision.matches[:1]
            text = f"{intro}\n\n{messages.answer(shown[0])}"
            reply = Reply(Outcome.ANSWER, text, shown, question_id, lead=intro)
        elif decision.outcome is Outcome.SUGGEST:
            shown = decision.matches
            text = f"{intro}\n\n{messages.suggestions(shown)}"
            reply = Reply(Outcome.SUGGEST, text, shown, question_id, lead=intro)
        else:
            reply = await self._escalate(question, conversation, question_id, decision, matches, negative)
        await asyncio.to_thread(
            self.store.continue_followup_thread,
            conversation.id,
            shown=[shown_record(m) for m in shown],
            last_question_id=question_id,
        )
        return reply

    async def _escalate(
        self,
        question: Question,
        conversation: FollowupThread,
        question_id: int,
        decision: Decision,
        matches: list[Match],
        negative: bool,
    ) -> Reply:
        """The normal escalation flow (joining an open one, the throttle, routing), with the thread as the question."""
        note = context_note(conversation)
        held = await self.gatekeeper.before_escalating(question, question_id, note)
        if held is not None:
            return held
        if negative:
            reason = words.REJECTED_REASON
        else:
            reason = "no close match" if not matches else f"best match only {matches[0].confidence:.0%} sure"
        reply = await self.handoff.escalate(
            question, question_id, note, decision.matches[:3], reason, evidence=matches, once=True
        )
        if negative:
            reply.text = f"{words.SORRY} {reply.text}"
        return reply

    def _record(
        self, question: Question, conversation: FollowupThread, decision: Decision, matches: list[Match]
    ) -> int:
        """The follow-up as a question of its own (the dashboard's log, the buttons under its reply, the labels)."""
        top = decision.matches[0] if decision.matches else (matches[0] if matches else None)
        record_names(self.store, question)
        return self.store.record_question(
            **question.place(),
            text=conversation.search_text,
            outcome=decision.outcome.value,
            confidence=top.confidence if top else None,
            entry_id=top.entry.id if top else None,
            index_version=self.answerer.retriever.kb.version,
        )
