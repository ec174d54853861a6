"""The bot: one question in, one reply out, and a durable record of both."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from bots import messages
from bots.config import Superuser
from bots.conversation import Outcome, Question, Reply
from bots.policy import Thresholds, decide
from bots.state import StateStore, near_miss_record
from indexer.build import BuildReport
from knowledge.entries import Match
from knowledge.retriever import Retriever

log = logging.getLogger(__name__)

Verdict = Literal["solved", "unhelpful", "human"]


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
        community: str = "the community",
        max_question_chars: int = 2000,
        top_k: int = 5,
        reindexer: Callable[[], Awaitable[BuildReport]] | None = None,
    ) -> None:
        self.retriever = retriever
        self.store = store
        self.thresholds = thresholds or Thresholds()
        self.superusers = list(superusers)
        self.community = community
        self.max_question_chars = max_question_chars
        self.top_k = top_k
        self.reindexer = reindexer
        self._reindexing = asyncio.Lock()

    async def handle(self, question: Question) -> Reply | None:
        """The reply to send, or None when this exact event was already handled (a redelivery)."""
        try:
            if question.event_id and not await asyncio.to_thread(self.store.first_time, question.event_id):
                log.info("duplicate event ignored", extra={"event_id": question.event_id})
                return None
            return await self._handle(question)
        except Exception:
            log.exception(
                "failed to answer",
                extra={"platform": question.platform, "channel": question.channel},
            )
            return Reply(Outcome.ERROR, messages.APOLOGY)

    async def _handle(self, question: Question) -> Reply:
        text = question.text.strip()
        if not text:
            return Reply(Outcome.INVALID, messages.EMPTY_QUESTION)
        if text.startswith("/"):
            return await self._command(question, text)
        truncated = len(text) > self.max_question_chars
        search_text = text[: self.max_question_chars]
        matches = await asyncio.to_thread(self.retriever.retrieve, search_text, question.audience, self.top_k)
        decision = decide(matches, self.thresholds)
        top = matches[0] if matches else None
        question_id = await asyncio.to_thread(
            self.store.record_question,
            platform=question.platform,
            channel=question.channel,
            thread=question.thread,
            asker=question.asker,
            text=text,
            outcome=decision.outcome.value,
            confidence=top.confidence if top else None,
            entry_id=top.entry.id if top else None,
            index_version=self.retriever.kb.version,
        )
        if decision.outcome is Outcome.ANSWER:
            reply = Reply(Outcome.ANSWER, messages.answer(decision.matches[0]), decision.matches, question_id)
        elif decision.outcome is Outcome.SUGGEST:
            reply = Reply(
                Outcome.SUGGEST,
                messages.suggestions(decision.matches),
                decision.matches,
                question_id,
            )
        else:
            reason = "no close match" if not matches else f"best match only {matches[0].confidence:.0%} sure"
            reply = await self._escalate(question, question_id, text, decision.matches, reason)
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
    ) -> Reply:
        ids = [s.community_id for s in self.superusers]
        escalation_id = await asyncio.to_thread(
            self.store.open_escalation,
            question_id,
            platform=question.platform,
            channel=question.channel,
            thread=question.thread,
            asker=question.asker,
            question=text,
            superusers=ids,
            near_misses=[near_miss_record(m.entry.title, m.entry.url, m.confidence, m.entry.id) for m in near_misses],
            reason=reason or "the asker asked for a person",
        )
        log.info("escalated", extra={"escalation_id": escalation_id, "reason": reason})
        text_out = messages.escalated([s.name for s in self.superusers], escalation_id, reason)
        return Reply(Outcome.ESCALATE, text_out, list(near_misses), question_id, escalation_id, notify=ids)

    async def feedback(self, question_id: int, user: str, verdict: Verdict) -> Reply:
        """A button press on an answer: solved, not helpful, or ask a human."""
        row = await asyncio.to_thread(self.store.question, question_id)
        if row is None:
            return Reply(Outcome.INVALID, messages.UNKNOWN_QUESTION)
        await asyncio.to_thread(self.store.record_feedback, question_id, user, verdict)
        log.info("feedback", extra={"question_id": question_id, "verdict": verdict})
        if verdict == "solved":
            return Reply(Outcome.COMMAND, messages.THANKS_SOLVED, question_id=question_id)
        if verdict == "unhelpful":
            return Reply(Outcome.COMMAND, messages.THANKS_UNHELPFUL, question_id=question_id)
        asked = Question(text=row.text, asker=row.asker, platform=row.platform, channel=row.channel, thread=row.thread)
        return await self._escalate(asked, question_id, row.text, [], None)

    async def reindex(self) -> Reply:
        """Rebuild the index from the configured sources and swap it in; callers check the user is an admin."""
        if self.reindexer is None:
            return Reply(Outcome.COMMAND, messages.REINDEX_UNAVAILABLE)
        if self._reindexing.locked():
            return Reply(Outcome.COMMAND, messages.REINDEX_BUSY)
        async with self._reindexing:
            report = await self.reindexer()
        return Reply(Outcome.COMMAND, messages.reindexed(report))

    async def human_answer(self, platform: str, thread: str, responder: str, text: str) -> int | None:
        """Record a superuser's reply in an escalated thread; the escalation id, or None if it was not one."""
        superuser = next((s for s in self.superusers if responder in _platform_ids(s, platform)), None)
        if superuser is None or not text.strip():
            return None
        escalation = await asyncio.to_thread(self.store.open_escalation_in, platform, thread)
        if escalation is None:
            return None
        await asyncio.to_thread(self.store.mark_answered, escalation.id, superuser.community_id, text)
        log.info("human answer recorded", extra={"escalation_id": escalation.id, "superuser": superuser.community_id})
        return escalation.id

    async def _command(self, question: Question, text: str) -> Reply:
        name = text.split()[0].lower()
        if name == "/help":
            return Reply(Outcome.COMMAND, messages.HELP.format(community=self.community))
        if name == "/stats":
            counts = await asyncio.to_thread(self.store.outcome_counts)
            open_count = await asyncio.to_thread(self.store.open_escalations)
            kb = self.retriever.kb
            return Reply(Outcome.COMMAND, messages.stats(counts, open_count, len(kb), kb.version))
        if name == "/human":
            last = await asyncio.to_thread(self.store.last_question, question.platform, question.asker)
            if last is None:
                return Reply(Outcome.COMMAND, messages.NOTHING_TO_ESCALATE)
            return await self._escalate(question, last.id, last.text, [], None)
        return Reply(Outcome.COMMAND, messages.UNKNOWN_COMMAND.format(name=name))
