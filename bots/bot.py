"""The bot, as adapters see it: one question in, one reply out. A thin facade over the parts that do the work:

- answering.py: retrieve -> decide (urgency included) -> record;
- commands.py: the chat command table;
- handoff.py: escalations to superusers, claims, human answers, acceptance, reviews;
- feedback.py: "This solved it" / "Not helpful" / "Ask a human";
- runtime.py: start-up, timers and shutdown for every adapter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from peerbot.bots import messages
from peerbot.bots.answering import Answerer, AnswerPipeline
from peerbot.bots.capture import Capture
from peerbot.bots.commands import COMMANDS, CommandTable, dispatch
from peerbot.bots.config import ConversationSettings, EscalationSettings, Superuser
from peerbot.bots.conversation import Outcome, Question, Reply, Verdict
from peerbot.bots.digest import WeeklyDigest
from peerbot.bots.escalation import Escalations
from peerbot.bots.feedback import Feedback
from peerbot.bots.followups import FollowUps
from peerbot.bots.gate_learning import GateRule, LearnedGate
from peerbot.bots.handoff import Handoff
from peerbot.bots.housekeeping import Housekeeping
from peerbot.bots.live import LiveKnowledge
from peerbot.bots.merging import Gatekeeper
from peerbot.bots.notices import Notice, Notifier, Outbox
from peerbot.bots.policy import Thresholds
from peerbot.bots.recognition import Recognition
from peerbot.bots.runtime import tick
from peerbot.bots.schedule import Scheduler
from peerbot.bots.scope import ScopeGuard
from peerbot.bots.state import StateStore
from peerbot.errors import PeerbotError
from peerbot.faults import fault_point
from peerbot.indexer.build import BuildReport
from peerbot.knowledge.retriever import Retriever

log = logging.getLogger(__name__)


class Bot:
    def __init__(
        self,
        retriever: Retriever,
        store: StateStore,
        *,
        thresholds: Thresholds | None = None,
        superusers: Sequence[Superuser] = (),
        escalation: EscalationSettings | None = None,
        recognition: Recognition | None = None,
        capture: Capture | None = None,
        community: str = "the community",
        max_question_chars: int = 2000,
        top_k: int = 5,
        reindexer: Callable[[], Awaitable[BuildReport]] | None = None,
        refresher: Callable[[], Awaitable[None]] | None = None,
        event_lease_seconds: float = 60.0,
        commands: CommandTable = COMMANDS,
        housekeeping: Housekeeping | None = None,
        learning: GateRule | None = None,
        scope: ScopeGuard | None = None,
        conversation: ConversationSettings | None = None,
    ) -> None:
        settings = escalation or EscalationSettings()
        self.store = store
        self.community = community
        self.commands = commands
        self.reindexer = reindexer
        self.refresher = refresher  # picks up index versions published by another process
        self.event_lease_seconds = event_lease_seconds
        self.housekeeping = housekeeping  # pruning on a schedule, once across replicas (the timers call it)
        self.outbox = Outbox()  # every running adapter delivers the notices meant for it
        self.gate = LearnedGate(store, thresholds or Thresholds(), learning)
        self.answerer = Answerer(
            retriever,
            thresholds or Thresholds(),
            urgent_sentiment=settings.urgent_sentiment,
            max_question_chars=max_question_chars,
            top_k=top_k,
            gate=self.gate,
            scope=scope,
        )
        self.handoff = Handoff(store, retriever, superusers, settings, self.outbox, recognition, capture)
        self.conversation = conversation or ConversationSettings()
        self.gatekeeper = Gatekeeper(store, retriever, superusers, self.conversation, self.answerer.thresholds.answer)
        self.pipeline = AnswerPipeline(self.answerer, store, self.handoff, self.gatekeeper)
        self.feedbacks = Feedback(store, retriever, self.handoff, self.gate)
        self.followups = FollowUps(  # the asker's later messages in a thread the bot answered (bots/followups.py)
            store, self.answerer, self.handoff, self.feedbacks, self.gatekeeper, enabled=self.conversation.followups
        )
        self._reindexing = asyncio.Lock()
        self.live: LiveKnowledge | None = None  # learning from chat as it happens (bots/live.py), set by bots/app.py
        self.scheduler: Scheduler | None = None  # [schedule]: timed refreshes (bots/schedule.py), set by bots/app.py
        self.forgetter: Callable[[str], Awaitable[str]] | None = None  # `/forget me`: forget an author, reindex
        self.digest: WeeklyDigest | None = None  # the weekly digest for the admins (bots/digest.py), set by bots/app.py

    @property
    def retriever(self) -> Retriever:
        return self.answerer.retriever

    @retriever.setter
    def retriever(self, retriever: Retriever) -> None:
        """Another retriever for every part (tests put a broken one in)."""
        self.answerer.retriever = self.handoff.retriever = self.feedbacks.retriever = self.gatekeeper.retriever = (
            retriever
        )

    @property
    def superusers(self) -> list[Superuser]:
        return self.handoff.superusers

    @property
    def escalations(self) -> Escalations:
        return self.handoff.escalations

    @property
    def recognition(self) -> Recognition | None:
        return self.handoff.recognition

    @property
    def capture(self) -> Capture | None:
        return self.handoff.capture

    @capture.setter
    def capture(self, capture: Capture | None) -> None:
        self.handoff.capture = capture

    # -- questions --------------------------------------------------------------------------------

    async def handle(self, question: Question) -> Reply | None:
        """The reply to send, or None when this exact event is handled (or was answered) elsewhere: a redelivery.

        With an event id the reply is recorded with the event (the outbox) before it is returned; the adapter
        posts it and then calls `sent`. Handling the event again (its replica died) reuses the question and the
        escalation recorded for it, and returns a recorded reply that was never marked sent instead of a new one."""
        event_id = question.event_id
        try:
            if await asyncio.to_thread(self.gatekeeper.is_spammer, question.asker):
                log.info("message from a marked spammer ignored", extra={"platform": question.platform})
                return None
            if event_id and not await asyncio.to_thread(
                self.store.take_event, event_id, question.to_payload(), self.event_lease_seconds
            ):
                log.info("duplicate event ignored", extra={"event_id": event_id})
                return None
            unsent = await asyncio.to_thread(self.store.event_reply, event_id) if event_id else None
        except Exception:
            log.exception("failed to record the event", extra={"platform": question.platform})
            return Reply(Outcome.ERROR, messages.APOLOGY)
        if unsent is not None:
            log.info("sending a recorded reply again", extra={"event_id": event_id})
            return Reply.from_outbox(unsent)
        try:
            reply = await self.respond(question)
        except Exception:
            log.exception("failed to answer", extra={"platform": question.platform, "channel": question.channel})
            reply = Reply(Outcome.ERROR, messages.APOLOGY)
        if event_id:
            try:
                await asyncio.to_thread(self.store.record_reply, event_id, reply.to_outbox(), self.event_lease_seconds)
            except Exception:
                log.exception("failed to record the reply", extra={"event_id": event_id})
            fault_point("reply-recorded")
        return reply

    async def sent(self, question: Question) -> None:
        """The adapter posted the reply to this question's event: it is never sent again."""
        if question.event_id:
            await asyncio.to_thread(self.store.mark_sent, question.event_id)

    async def respond(self, question: Question) -> Reply:
        """A command runs from the command table; anything else is a question for the answer pipeline."""
        text = question.text.strip()
        if not text:
            return Reply(Outcome.INVALID, messages.EMPTY_QUESTION)
        if text.startswith("/"):
            return await dispatch(self, self.commands, question, text)
        followed = await self.followups.respond(question)
        if followed is not None:
            return followed
        reply = await self.pipeline.answer(question)
        try:
            await self.followups.opened(question, reply)
        except Exception:  # the asker still gets the answer; only its follow-ups are lost
            log.exception("failed to keep the conversation", extra={"platform": question.platform})
        return reply

    async def is_follow_up(self, question: Question) -> bool:
        """The asker's message continues a conversation the bot answered (adapters ask before treating a reply in
        a thread as a possible human answer)."""
        return await self.followups.is_follow_up(question)

    # -- the human side ---------------------------------------------------------------------------

    async def feedback(self, question_id: int, user: str, verdict: Verdict | str, *, admin: bool = False) -> Reply:
        """A button press on an answer: solved, not helpful, or ask a human; refused (Outcome.REFUSED) for anyone
        but the asker, a superuser or an admin (`admin`: the platform says so)."""
        return await self.feedbacks.record(question_id, user, verdict, admin=admin)

    async def human_answer(self, platform: str, thread: str, responder: str, text: str) -> int | None:
        if await asyncio.to_thread(self.gatekeeper.is_spammer, responder):  # never an answer, never knowledge
            return None
        return await self.handoff.human_answer(platform, thread, responder, text)

    async def claim(self, escalation_id: int, platform: str, user: str) -> Reply:
        return await self.handoff.claim(escalation_id, platform, user)

    def superuser(self, platform: str, user: str) -> Superuser | None:
        return self.handoff.superuser(platform, user)

    # -- notices and timers (the loop itself is runtime.py's) -------------------------------------

    def add_notifier(self, notifier: Notifier) -> None:
        self.outbox.add(notifier)

    def remove_notifier(self, notifier: Notifier) -> None:
        self.outbox.remove(notifier)

    @property
    def notifiers(self) -> list[Notifier]:
        return self.outbox.notifiers

    async def tick(self) -> list[Notice]:
        return await tick(self)

    def close(self) -> None:
        """On exit: the state store's connections."""
        self.store.close()

    # -- admin ------------------------------------------------------------------------------------

    async def forget_me(self, author: str) -> Reply:
        """`/forget me`: the member's content removed everywhere (bots/forget.py) and the index rebuilt without it."""
        if self.forgetter is None:
            return Reply(Outcome.COMMAND, messages.FORGET_UNAVAILABLE)
        async with self._reindexing:
            summary = await self.forgetter(author)
        return Reply(
            Outcome.COMMAND, messages.FORGOT_YOU.format(summary=summary) if summary else messages.NOTHING_OF_YOU
        )

    async def reindex(self) -> Reply:
        """Rebuild the index from the configured sources and swap it in (the command table checks for an admin)."""
        if self.reindexer is None:
            return Reply(Outcome.COMMAND, messages.REINDEX_UNAVAILABLE)
        if self._reindexing.locked():
            return Reply(Outcome.COMMAND, messages.REINDEX_BUSY)
        async with self._reindexing:
            try:
                report = await self.reindexer()
            except PeerbotError as exc:  # the previous index keeps serving
                log.warning("reindex failed", extra={"error": str(exc)})
                return Reply(Outcome.ERROR, messages.REINDEX_FAILED.format(error=exc))
        return Reply(Outcome.COMMAND, messages.reindexed(report))
