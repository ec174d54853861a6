"""The bot: one question in, one reply out, and a durable record of both; escalations to superusers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from peerbot.bots import messages
from peerbot.bots.capture import Capture, thread_record
from peerbot.bots.commands import COMMANDS, CommandTable, dispatch
from peerbot.bots.config import EscalationSettings, Superuser
from peerbot.bots.conversation import WAITING, EscalationStatus, Outcome, Question, Reply, Verdict
from peerbot.bots.escalation import Escalations
from peerbot.bots.notices import Notice, Notifier
from peerbot.bots.policy import Thresholds, decide
from peerbot.bots.recognition import Recognition
from peerbot.bots.routing import rank_experts
from peerbot.bots.state import EscalationRow, StateStore, near_miss_record
from peerbot.bots.urgency import is_urgent
from peerbot.errors import PeerbotError
from peerbot.indexer.build import BuildReport
from peerbot.knowledge.entries import Match
from peerbot.knowledge.retriever import Retriever

log = logging.getLogger(__name__)


def _platform_ids(superuser: Superuser, platform: str) -> set[str]:
    ids = {superuser.community_id} if platform == "console" else set()
    platform_id = getattr(superuser, f"{platform}_id", None)
    return ids | ({platform_id} if platform_id else set())


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
    ) -> None:
        self.retriever = retriever
        self.store = store
        self.thresholds = thresholds or Thresholds()
        self.superusers = list(superusers)
        self.settings = escalation or EscalationSettings()
        self.escalations = Escalations(store, self.superusers, self.settings)
        self.recognition = recognition
        self.capture = capture
        self.community = community
        self.max_question_chars = max_question_chars
        self.top_k = top_k
        self.reindexer = reindexer
        self.refresher = refresher  # picks up index versions published by another process
        self.event_lease_seconds = event_lease_seconds
        self.commands = commands
        self.notifiers: list[Notifier] = []  # every running adapter delivers the notices meant for it
        self._timers_running = False
        self._reindexing = asyncio.Lock()

    # -- questions --------------------------------------------------------------------------------

    async def handle(self, question: Question) -> Reply | None:
        """The reply to send, or None when this exact event was already handled (a redelivery)."""
        try:
            if question.event_id and not await asyncio.to_thread(
                self.store.take_event, question.event_id, question.to_payload(), self.event_lease_seconds
            ):
                log.info("duplicate event ignored", extra={"event_id": question.event_id})
                return None
        except Exception:
            log.exception("failed to record the event", extra={"platform": question.platform})
            return Reply(Outcome.ERROR, messages.APOLOGY)
        try:
            return await self._handle(question)
        except Exception:
            log.exception("failed to answer", extra={"platform": question.platform, "channel": question.channel})
            return Reply(Outcome.ERROR, messages.APOLOGY)
        finally:
            if question.event_id:
                await asyncio.to_thread(self.store.finish_event, question.event_id)

    async def _recover_abandoned(self) -> list[Notice]:
        """Questions another replica took but died before answering: answer them in their thread."""
        notices = []
        for event_id, payload in await asyncio.to_thread(self.store.abandoned_events):
            if not await asyncio.to_thread(self.store.take_event, event_id, payload, self.event_lease_seconds):
                continue  # another replica got there first
            question = Question.from_payload({**payload, "event_id": None})
            try:
                reply = await self._handle(question)
            except Exception:
                log.exception("failed to answer a recovered event", extra={"event_id": event_id})
                reply = Reply(Outcome.ERROR, messages.APOLOGY)
            await asyncio.to_thread(self.store.finish_event, event_id)
            log.info("recovered an abandoned event", extra={"event_id": event_id})
            notices.append(
                Notice(
                    "asker",
                    reply.text,
                    reply.escalation_id,
                    platform=question.platform,
                    channel=question.channel,
                    thread=question.thread,
                )
            )
        return notices

    async def _handle(self, question: Question) -> Reply:
        text = question.text.strip()
        if not text:
            return Reply(Outcome.INVALID, messages.EMPTY_QUESTION)
        if text.startswith("/"):
            return await dispatch(self, self.commands, question, text)
        truncated = len(text) > self.max_question_chars
        search_text = text[: self.max_question_chars]
        matches = await asyncio.to_thread(self.retriever.retrieve, search_text, question.audience, self.top_k)
        urgent = await asyncio.to_thread(is_urgent, search_text, self.settings.urgent_sentiment)
        decision = decide(matches, self.thresholds)
        top = matches[0] if matches else None
        question_id = await asyncio.to_thread(
            self.store.record_question,
            platform=question.platform,
            channel=question.channel,
            thread=question.thread,
            public=question.public,
            asker=question.asker,
            text=text,
            outcome=decision.outcome.value,
            confidence=top.confidence if top else None,
            entry_id=top.entry.id if top else None,
            index_version=self.retriever.kb.version,
        )
        if decision.outcome is Outcome.ANSWER:
            reply = Reply(Outcome.ANSWER, messages.answer(decision.matches[0]), decision.matches, question_id)
            if urgent:
                follow = await self._escalate(
                    question, question_id, text, [], "urgent: the customer sounds upset", urgent
                )
                reply.text += "\n\n" + messages.URGENT_FOLLOW_UP.format(id=follow.escalation_id)
                reply.escalation_id, reply.notify, reply.urgent = follow.escalation_id, follow.notify, True
        elif decision.outcome is Outcome.SUGGEST and not urgent:
            reply = Reply(Outcome.SUGGEST, messages.suggestions(decision.matches), decision.matches, question_id)
        else:
            reason = "no close match" if not matches else f"best match only {matches[0].confidence:.0%} sure"
            reply = await self._escalate(question, question_id, text, matches[:3], reason, urgent)
        if truncated:
            reply.text += "\n" + messages.TRUNCATED.format(limit=self.max_question_chars)
            reply.truncated = True
        return reply

    async def _escalate(
        self,
        question: Question,
        question_id: int,
        text: str,
        near_misses: Sequence[Match],
        reason: str | None,
        urgent: bool = False,
    ) -> Reply:
        now = self.store.clock()
        unavailable = await asyncio.to_thread(self.escalations.unavailable)
        load = await asyncio.to_thread(self.escalations.load)
        ranked = await asyncio.to_thread(
            rank_experts, self.retriever, text, self.superusers, now=now, unavailable=unavailable, load=load
        )
        experts = [s for s, _ in ranked]
        fits = bool(ranked) and ranked[0][1] > 0 and bool(self.settings.ladder_minutes)
        group = [s for s in self.superusers if s in experts]  # everyone available, in config order
        first = experts[:1] if fits else group  # nobody fits: the whole group at once
        opened = await asyncio.to_thread(
            self.escalations.open,
            question_id,
            experts,
            first,
            platform=question.platform,
            channel=question.channel,
            thread=question.thread,
            asker=question.asker,
            question=text,
            public=question.public,
            urgent=urgent,
            near_misses=[near_miss_record(m.entry.title, m.entry.url, m.confidence, m.entry.id) for m in near_misses],
            reason=reason or "the asker asked for a person",
        )
        log.info("escalated", extra={"escalation_id": opened.escalation_id, "reason": reason, "urgent": urgent})
        names = [s.name for s in first]
        text_out = messages.escalated(names, opened.escalation_id, reason, opened.expected_minutes)
        reply = Reply(Outcome.ESCALATE, text_out, list(near_misses), question_id, opened.escalation_id)
        reply.notify, reply.urgent = [s.community_id for s in first], urgent
        return reply

    # -- feedback and the human side --------------------------------------------------------------

    async def feedback(self, question_id: int, user: str, verdict: Verdict) -> Reply:
        """A button press on an answer: solved, not helpful, or ask a human."""
        verdict = Verdict(verdict)
        row = await asyncio.to_thread(self.store.question, question_id)
        if row is None:
            return Reply(Outcome.INVALID, messages.UNKNOWN_QUESTION)
        await asyncio.to_thread(self.store.record_feedback, question_id, user, verdict)
        log.info("feedback", extra={"question_id": question_id, "verdict": verdict})
        if verdict is Verdict.SOLVED:
            answered = await asyncio.to_thread(self.escalations.for_question, question_id, (EscalationStatus.ANSWERED,))
            if answered is not None:
                await self._accept(answered)
            elif row.outcome == Outcome.ANSWER and row.entry_id:
                await self._deflection_credit(row.entry_id, question_id)
            return Reply(Outcome.COMMAND, messages.THANKS_SOLVED, question_id=question_id)
        if verdict is Verdict.UNHELPFUL:
            return Reply(Outcome.COMMAND, messages.THANKS_UNHELPFUL, question_id=question_id)
        waiting = await asyncio.to_thread(self.escalations.for_question, question_id, WAITING)
        if waiting is not None:
            return Reply(Outcome.COMMAND, messages.ALREADY_ESCALATED.format(id=waiting.id), escalation_id=waiting.id)
        asked = Question(  # escalate where (and as privately as) it was asked: replies in its thread count
            text=row.text,
            asker=row.asker,
            platform=row.platform,
            channel=row.channel,
            thread=row.thread,
            public=row.public,
        )
        return await self._escalate(asked, question_id, row.text, [], None)

    async def human_answer(self, platform: str, thread: str, responder: str, text: str) -> int | None:
        """A reply in an escalated thread: a superuser's is the human answer (its escalation id is returned);
        another member's goes to the review queue."""
        if not text.strip():
            return None
        escalation = await asyncio.to_thread(self.store.open_escalation_in, platform, thread)
        if escalation is None or responder == escalation.asker:
            return None
        superuser = self._superuser(platform, responder)
        if superuser is None:
            review_id = await asyncio.to_thread(
                self.escalations.submit_for_review, escalation.id, responder, responder, text
            )
            log.info("answer sent for review", extra={"escalation_id": escalation.id, "review_id": review_id})
            return None
        await self._answer(escalation.id, superuser, text)
        return escalation.id

    async def _answer(self, escalation_id: int, superuser: Superuser, text: str) -> EscalationRow | None:
        row = await asyncio.to_thread(self.escalations.answer, escalation_id, superuser.community_id, text)
        if row is None:
            return None
        log.info("human answer recorded", extra={"escalation_id": escalation_id, "superuser": superuser.community_id})
        notices = [self._to_asker(row, messages.ANSWER_TO_ASKER.format(who=superuser.name, id=row.id, answer=text))]
        if self.recognition is not None:
            assert row.answered_at is not None
            fast = self.recognition.answered_fast(row, row.answered_at)
            notices += await asyncio.to_thread(
                self.recognition.award, superuser.community_id, "answered", f"esc{row.id}", fast=fast
            )
        await self._deliver(notices)
        return row

    async def _accept(self, escalation: EscalationRow) -> None:
        """The human answer solved it: resolve, capture into the knowledge base, award the expert."""
        resolved = await asyncio.to_thread(self.escalations.resolve, escalation.id)
        if resolved is None or resolved.answer is None or resolved.answered_by is None:
            return
        who = next((s for s in self.superusers if s.community_id == resolved.answered_by), None)
        await self._capture(resolved, resolved.answer, who.name if who else resolved.answered_by, resolved.answered_by)
        if who is not None and self.recognition is not None:
            notices = await asyncio.to_thread(self.recognition.award, who.community_id, "accepted", f"esc{resolved.id}")
            await self._deliver(notices)

    async def _capture(self, escalation: EscalationRow, answer: str, author: str, author_id: str) -> None:
        if self.capture is None:
            return
        date = self.store.clock().isoformat()
        record = thread_record(escalation, answer, author, author_id, date)
        entry = await asyncio.to_thread(self.capture.add, record)
        log.info("answer captured", extra={"escalation_id": escalation.id, "entry_id": entry.id})

    async def _deflection_credit(self, entry_id: str, question_id: int) -> None:
        entry = next((e for e in self.retriever.kb.entries if e.id == entry_id), None)
        if entry is None or self.recognition is None:
            return
        if any(s.community_id == entry.author_id for s in self.superusers):
            notices = await asyncio.to_thread(self.recognition.award, entry.author_id, "deflection", f"q{question_id}")
            await self._deliver(notices)

    async def claim(self, escalation_id: int, platform: str, user: str) -> Reply:
        superuser = self._superuser(platform, user)
        if superuser is None:
            return Reply(Outcome.COMMAND, messages.NOT_SUPERUSER)
        won, row = await asyncio.to_thread(self.escalations.claim, escalation_id, superuser.community_id)
        if row is None:
            return Reply(Outcome.COMMAND, messages.NO_SUCH_ESCALATION.format(id=escalation_id))
        if not won:
            if row.status == EscalationStatus.CLAIMED:
                holder = next((s.name for s in self.superusers if s.community_id == row.claimed_by), row.claimed_by)
                return Reply(Outcome.COMMAND, messages.ALREADY_CLAIMED.format(id=escalation_id, who=holder))
            return Reply(Outcome.COMMAND, messages.NOT_OPEN.format(id=escalation_id, status=row.status))
        if self.recognition is not None:
            notices = await asyncio.to_thread(
                self.recognition.award, superuser.community_id, "claimed", f"esc{escalation_id}"
            )
            await self._deliver(notices)
        return Reply(Outcome.COMMAND, messages.CLAIMED.format(id=escalation_id), escalation_id=escalation_id)

    # -- timers -----------------------------------------------------------------------------------

    async def tick(self) -> list[Notice]:
        """Serve a newly published index; climb the ping ladder and expire stale escalations."""
        if self.refresher is not None:
            await self.refresher()
        notices = await self._recover_abandoned()
        notices += await asyncio.to_thread(self.escalations.due)
        await self._deliver(notices)
        return notices

    def add_notifier(self, notifier: Notifier) -> None:
        if notifier not in self.notifiers:
            self.notifiers.append(notifier)

    async def run_timers(self, interval: float = 30.0) -> None:
        """Tick every `interval` seconds; several adapters in one process share one timer loop."""
        if self._timers_running:
            return
        self._timers_running = True
        try:
            await self._timer_loop(interval)
        finally:
            self._timers_running = False

    async def _timer_loop(self, interval: float) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("escalation timers failed")
            await asyncio.sleep(interval)

    async def _deliver(self, notices: Sequence[Notice]) -> None:
        for notifier in self.notifiers if notices else ():
            await notifier.deliver(notices)

    def _to_asker(self, row: EscalationRow, text: str) -> Notice:
        return Notice("asker", text, row.id, platform=row.platform, channel=row.channel, thread=row.thread)

    def _superuser(self, platform: str, user: str) -> Superuser | None:
        return next((s for s in self.superusers if user in _platform_ids(s, platform)), None)

    # -- admin ------------------------------------------------------------------------------------

    async def reindex(self) -> Reply:
        """Rebuild the index from the configured sources and swap it in; callers check the user is an admin."""
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

    # -- commands ---------------------------------------------------------------------------------

    def superuser(self, platform: str, user: str) -> Superuser | None:
        return self._superuser(platform, user)

    async def answer_escalation(self, escalation_id: int, superuser: Superuser, text: str) -> Reply:
        """`/answer N text`: the superuser's answer to escalation N goes to the asker."""
        row = await self._answer(escalation_id, superuser, text)
        if row is None:
            existing = await asyncio.to_thread(self.store.escalation, escalation_id)
            if existing is None:
                return Reply(Outcome.COMMAND, messages.NO_SUCH_ESCALATION.format(id=escalation_id))
            return Reply(Outcome.COMMAND, messages.NOT_OPEN.format(id=escalation_id, status=existing.status))
        return Reply(Outcome.COMMAND, messages.ANSWER_RECORDED.format(id=escalation_id), escalation_id=escalation_id)

    async def accept(self, escalation_id: int) -> Reply:
        """`/accept N`: the answer to N is the solution: it joins the knowledge base."""
        row = await asyncio.to_thread(self.store.escalation, escalation_id)
        if row is None or row.status != EscalationStatus.ANSWERED:
            return Reply(Outcome.COMMAND, messages.NOTHING_TO_ACCEPT.format(id=escalation_id))
        await self._accept(row)
        who = next((s.name for s in self.superusers if s.community_id == row.answered_by), row.answered_by)
        return Reply(Outcome.COMMAND, messages.CAPTURED.format(id=escalation_id, who=who), escalation_id=escalation_id)

    async def approve(self, review_id: int) -> Reply:
        """`/approve R`: a member's answer in the review queue goes to the asker and into the knowledge base."""
        approved = await asyncio.to_thread(self.escalations.approve, review_id)
        if approved is None:
            return Reply(Outcome.COMMAND, messages.NO_SUCH_REVIEW.format(id=review_id))
        review, escalation = approved
        await asyncio.to_thread(self.escalations.answer, escalation.id, review.author, review.answer)
        resolved = await asyncio.to_thread(self.escalations.resolve, escalation.id)
        await self._capture(resolved or escalation, review.answer, review.author_name, review.author)
        text = messages.ANSWER_TO_ASKER.format(who=review.author_name, id=escalation.id, answer=review.answer)
        await self._deliver([self._to_asker(escalation, text)])
        return Reply(Outcome.COMMAND, messages.APPROVED.format(id=review_id, who=review.author_name))
