"""Handing a question to a person: route and open an escalation, claims, a superuser's answer, acceptance and the
review queue. The state changes themselves are bots/escalation.py's; this module decides who hears about them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from peerbot.bots import messages
from peerbot.bots.capture import Capture
from peerbot.bots.config import EscalationSettings, Superuser
from peerbot.bots.conversation import EscalationNote, EscalationStatus, Outcome, Question, Reply
from peerbot.bots.escalation import Escalations
from peerbot.bots.merging import to_every_asker
from peerbot.bots.notices import Notice, Outbox
from peerbot.bots.recognition import Recognition
from peerbot.bots.routing import ROUTING_AUDIENCE, ROUTING_DEPTH, rank_experts
from peerbot.bots.state import Escalation, StateStore, near_miss_record
from peerbot.faults import fault_point
from peerbot.knowledge.entries import Match
from peerbot.knowledge.retriever import Retriever

log = logging.getLogger(__name__)


def platform_ids(superuser: Superuser, platform: str) -> set[str]:
    ids = {superuser.community_id} if platform == "console" else set()
    platform_id = getattr(superuser, f"{platform}_id", None)
    return ids | ({platform_id} if platform_id else set())


class Handoff:
    def __init__(
        self,
        store: StateStore,
        retriever: Retriever,
        superusers: Sequence[Superuser],
        settings: EscalationSettings,
        outbox: Outbox,
        recognition: Recognition | None = None,
        capture: Capture | None = None,
    ) -> None:
        self.store = store
        self.retriever = retriever
        self.superusers = list(superusers)
        self.settings = settings
        self.escalations = Escalations(store, self.superusers, settings)
        self.outbox = outbox
        self.recognition = recognition
        self.capture = capture

    def superuser(self, platform: str, user: str) -> Superuser | None:
        return next((s for s in self.superusers if user in platform_ids(s, platform)), None)

    def name_of(self, community_id: str | None) -> str | None:
        return next((s.name for s in self.superusers if s.community_id == community_id), community_id)

    # -- open -----------------------------------------------------------------------------------------------

    async def escalate(
        self,
        question: Question,
        question_id: int,
        text: str,
        near_misses: Sequence[Match],
        reason: str | None,
        *,
        urgent: bool = False,
        evidence: Sequence[Match] | None = None,
        once: bool = False,
    ) -> Reply:
        """Open an escalation for the superusers whose answers fit best. `evidence` is the answer's own
        retrieval; without one (the asker pressed "Ask a human" later) the question is retrieved here. With
        `once` (the answer pipeline) the question's escalation is reused if handling its event opened it before."""
        now = self.store.clock()
        if evidence is None:
            evidence = await asyncio.to_thread(self.retriever.retrieve, text, ROUTING_AUDIENCE, ROUTING_DEPTH)
        unavailable = await asyncio.to_thread(self.escalations.unavailable)
        load = await asyncio.to_thread(self.escalations.load)
        ranked = rank_experts(evidence, self.superusers, now=now, unavailable=unavailable, load=load)
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
            once=once,
        )
        fault_point("escalation-opened")
        log.info("escalated", extra={"escalation_id": opened.escalation_id, "reason": reason, "urgent": urgent})
        first = list(opened.pinged)
        notify = [s.community_id for s in first]
        text_out = messages.escalated([s.name for s in first], opened.escalation_id, reason, opened.expected_minutes)
        reply = Reply(Outcome.ESCALATE, text_out, list(near_misses), question_id, opened.escalation_id)
        reply.notify, reply.urgent = notify, urgent
        reply.escalation = EscalationNote(
            id=opened.escalation_id,
            question_id=question_id,
            question=text,
            asker=question.asker,
            platform=question.platform,
            channel=question.channel,
            thread=question.thread,
            public=question.public,
            urgent=urgent,
            notify=tuple(notify),
        )
        return reply

    # -- claim and answer -----------------------------------------------------------------------------------

    async def claim(self, escalation_id: int, platform: str, user: str) -> Reply:
        superuser = self.superuser(platform, user)
        if superuser is None:
            return Reply(Outcome.COMMAND, messages.NOT_SUPERUSER)
        won, row = await asyncio.to_thread(self.escalations.claim, escalation_id, superuser.community_id)
        if row is None:
            return Reply(Outcome.COMMAND, messages.NO_SUCH_ESCALATION.format(id=escalation_id))
        if not won:
            if row.status == EscalationStatus.CLAIMED:
                holder = self.name_of(row.claimed_by)
                return Reply(Outcome.COMMAND, messages.ALREADY_CLAIMED.format(id=escalation_id, who=holder))
            return Reply(Outcome.COMMAND, messages.NOT_OPEN.format(id=escalation_id, status=row.status))
        await self._award(superuser.community_id, "claimed", f"esc{escalation_id}")
        return Reply(Outcome.COMMAND, messages.CLAIMED.format(id=escalation_id), escalation_id=escalation_id)

    async def human_answer(self, platform: str, thread: str, responder: str, text: str) -> int | None:
        """A reply in an escalated thread: a superuser's is the human answer (its escalation id is returned);
        another member's goes to the review queue."""
        if not text.strip():
            return None
        escalation = await asyncio.to_thread(self.store.open_escalation_in, platform, thread)
        if escalation is None or responder == escalation.asker:
            return None
        superuser = self.superuser(platform, responder)
        if superuser is None:
            review_id = await asyncio.to_thread(
                self.escalations.submit_for_review, escalation.id, responder, responder, text
            )
            log.info("answer sent for review", extra={"escalation_id": escalation.id, "review_id": review_id})
            return None
        await self.record_answer(escalation.id, superuser, text)
        return escalation.id

    async def record_answer(self, escalation_id: int, superuser: Superuser, text: str) -> Escalation | None:
        row = await asyncio.to_thread(self.escalations.answer, escalation_id, superuser.community_id, text)
        if row is None:
            return None
        log.info("human answer recorded", extra={"escalation_id": escalation_id, "superuser": superuser.community_id})
        answer = messages.ANSWER_TO_ASKER.format(who=superuser.name, id=row.id, answer=text)
        notices = await asyncio.to_thread(to_every_asker, self.store, row, answer, answered=True)
        if self.recognition is not None:
            assert row.answered_at is not None
            fast = self.recognition.answered_fast(row, row.answered_at)
            notices += await asyncio.to_thread(
                self.recognition.award, superuser.community_id, "answered", f"esc{row.id}", fast=fast
            )
        await self.outbox.deliver(notices)
        return row

    async def answer(self, escalation_id: int, superuser: Superuser, text: str) -> Reply:
        """`/answer N text`: the superuser's answer to escalation N goes to the asker."""
        row = await self.record_answer(escalation_id, superuser, text)
        if row is None:
            existing = await asyncio.to_thread(self.store.escalation, escalation_id)
            if existing is None:
                return Reply(Outcome.COMMAND, messages.NO_SUCH_ESCALATION.format(id=escalation_id))
            return Reply(Outcome.COMMAND, messages.NOT_OPEN.format(id=escalation_id, status=existing.status))
        return Reply(Outcome.COMMAND, messages.ANSWER_RECORDED.format(id=escalation_id), escalation_id=escalation_id)

    # -- accept ---------------------------------------------------------------------------------------------

    async def resolve(self, escalation: Escalation) -> None:
        """The human answer solved it: resolve, capture into the knowledge base, award the expert."""
        resolved = await asyncio.to_thread(self.escalations.resolve, escalation.id)
        if resolved is None or resolved.answer is None or resolved.answered_by is None:
            return
        who = next((s for s in self.superusers if s.community_id == resolved.answered_by), None)
        await self._capture(resolved, resolved.answer, who.name if who else resolved.answered_by, resolved.answered_by)
        if who is not None:
            await self._award(who.community_id, "accepted", f"esc{resolved.id}")
            await self._thank(resolved, who.community_id)

    async def _thank(self, row: Escalation, superuser: str) -> None:
        """A thank-you line in the asker's thread, naming the expert unless they opted out (bots/rewards.py)."""
        rewards = self.recognition.rewards if self.recognition else None
        if rewards is not None:
            text = await asyncio.to_thread(rewards.thank_you, superuser)
            notice = Notice("asker", text, row.id, platform=row.platform, channel=row.channel, thread=row.thread)
            await self.outbox.deliver([notice])

    async def accept(self, escalation_id: int) -> Reply:
        """`/accept N`: the answer to N is the solution: it joins the knowledge base."""
        row = await asyncio.to_thread(self.store.escalation, escalation_id)
        if row is None or row.status != EscalationStatus.ANSWERED:
            return Reply(Outcome.COMMAND, messages.NOTHING_TO_ACCEPT.format(id=escalation_id))
        await self.resolve(row)
        who = self.name_of(row.answered_by)
        held = self.capture is not None and self.capture.hold is not None  # curation.approve_before_serving
        text = (messages.CAPTURED_HELD if held else messages.CAPTURED).format(id=escalation_id, who=who)
        return Reply(Outcome.COMMAND, text, escalation_id=escalation_id)

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
        await self.outbox.deliver(await asyncio.to_thread(to_every_asker, self.store, escalation, text, answered=True))
        return Reply(Outcome.COMMAND, messages.APPROVED.format(id=review_id, who=review.author_name))

    async def _capture(self, escalation: Escalation, answer: str, author: str, author_id: str) -> None:
        if self.capture is None:
            return
        date = self.store.clock().isoformat()
        entry = await asyncio.to_thread(self.capture.capture, escalation, answer, author, author_id, date)
        log.info("answer captured", extra={"escalation_id": escalation.id, "entry_id": entry.id})

    async def _award(self, superuser: str, reason: str, ref: str) -> None:
        if self.recognition is not None:
            await self.outbox.deliver(await asyncio.to_thread(self.recognition.award, superuser, reason, ref))
