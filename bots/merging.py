"""One escalation for many askers, and a member's escalations throttled (issue 17).

Before the answer pipeline opens an escalation, the `Gatekeeper` looks for an open one whose question matches this
one closely, by the same calibrated matching the bot uses for answers (the waiting questions are indexed like
knowledge entries and the question is retrieved against them: confidence >= answer_threshold). A match joins it:
nobody is pinged again, the asker hears how many are waiting and who is on it, and gets the answer in their own
thread when a superuser answers (`to_every_asker`). The same member asking the same thing again is told it is
already waiting. Otherwise a member who opened `max_escalations_per_hour` escalations in the last hour pings nobody.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from peerbot.bots import messages
from peerbot.bots.config import ConversationSettings, Superuser
from peerbot.bots.conversation import EscalationStatus, Outcome, Question, Reply
from peerbot.bots.notices import Notice
from peerbot.bots.state import Escalation, StateStore
from peerbot.knowledge.base import KnowledgeBase, flat_index
from peerbot.knowledge.entries import Audience, KnowledgeEntry
from peerbot.knowledge.retriever import HybridRetriever, Retriever

if TYPE_CHECKING:
    from peerbot.bots.handoff import Handoff

log = logging.getLogger(__name__)

SOURCE = "escalations"


def may_share(escalation: Escalation, question: Question) -> bool:
    """Whoever joins gets the answer given where it was first asked: only when both were asked in public (a private
    conversation, a private thread included, is its own: its question always gets its own escalation)."""
    return escalation.public and question.public


@dataclass(frozen=True)
class Joined:
    escalation: Escalation
    confidence: float


class EscalationMatcher:
    """The waiting escalations' questions as a small knowledge base, searched with the answers' retriever parts."""

    def __init__(self, retriever: Retriever, threshold: float) -> None:
        self.retriever = retriever
        self.threshold = threshold
        self._vectors: dict[tuple[int, str], np.ndarray] = {}

    def best(self, text: str, waiting: Sequence[Escalation]) -> Joined | None:
        parts = self.retriever if isinstance(self.retriever, HybridRetriever) else None
        if parts is None or parts.calibrator is None or not waiting:
            return None
        entries = [
            KnowledgeEntry(f"{SOURCE}:{e.id}", e.question[:2000], "", "", "", "", str(e.id), SOURCE) for e in waiting
        ]
        vectors = self._embed(parts, waiting)
        kb = KnowledgeBase(entries, flat_index(vectors), version=SOURCE)
        matcher = HybridRetriever(kb, parts.embedder, parts.calibrator)
        found = matcher.retrieve(text, Audience(public=True), 1)
        if not found or found[0].confidence < self.threshold:
            return None
        by_id = {str(e.id): e for e in waiting}
        return Joined(by_id[found[0].entry.thread_id], found[0].confidence)

    def _embed(self, parts: HybridRetriever, waiting: Sequence[Escalation]) -> np.ndarray:
        missing = [e for e in waiting if (e.id, e.question) not in self._vectors]
        if missing:
            vectors = parts.embedder.embed([e.question[:2000] for e in missing])
            self._vectors.update({(e.id, e.question): v for e, v in zip(missing, vectors, strict=True)})
        wanted = {(e.id, e.question) for e in waiting}
        self._vectors = {k: v for k, v in self._vectors.items() if k in wanted}
        return np.vstack([self._vectors[(e.id, e.question)] for e in waiting]).astype(np.float32)


class Gatekeeper:
    """What happens to a question that needs a person before a new escalation is opened for it."""

    def __init__(
        self,
        store: StateStore,
        retriever: Retriever,
        superusers: Sequence[Superuser],
        settings: ConversationSettings,
        threshold: float,
    ) -> None:
        self.store = store
        self.superusers = list(superusers)
        self.settings = settings
        self.matcher = EscalationMatcher(retriever, threshold)

    @property
    def retriever(self) -> Retriever:
        return self.matcher.retriever

    @retriever.setter
    def retriever(self, retriever: Retriever) -> None:
        self.matcher.retriever = retriever

    def name_of(self, community_id: str | None) -> str:
        return next((s.name for s in self.superusers if s.community_id == community_id), community_id or "")

    async def before_escalating(self, question: Question, question_id: int, text: str) -> Reply | None:
        """A reply instead of a new escalation (joined one, or throttled), or None: open one as usual."""
        if await asyncio.to_thread(self.store.escalation_for_question, question_id, tuple(EscalationStatus)):
            return None  # handling its event again: the escalation it opened before is reused
        if self.settings.merge:
            joined = await asyncio.to_thread(self._join, question, question_id, text)
            if joined is not None:
                return joined
        return await asyncio.to_thread(self._throttle, question, question_id)

    def _join(self, question: Question, question_id: int, text: str) -> Reply | None:
        waiting = [
            e for e in self.store.waiting_escalations() if may_share(e, question) and e.question_id != question_id
        ]
        found = self.matcher.best(text, waiting)
        if found is None:
            return None
        escalation = found.escalation
        who = self._who(escalation)
        if escalation.asker == question.asker and escalation.platform == question.platform:
            text_out = messages.ALREADY_WAITING.format(id=escalation.id, who=who)
            log.info("same question again from its asker", extra={"escalation_id": escalation.id})
            return Reply(Outcome.ESCALATE, text_out, [], question_id, escalation.id)
        self.store.join_escalation(
            escalation.id,
            question_id,
            platform=question.platform,
            channel=question.channel,
            thread=question.thread,
            public=question.public,
            asker=question.asker,
            question=text,
        )
        askers = 1 + len({(j.platform, j.asker) for j in self.store.joined_askers(escalation.id)})
        if askers >= self.settings.urgent_askers:
            self.store.raise_urgency(escalation.id, self.store.clock())
        log.info(
            "question joined an open escalation",
            extra={"escalation_id": escalation.id, "askers": askers, "confidence": round(found.confidence, 3)},
        )
        return Reply(Outcome.ESCALATE, messages.joined(askers, who, escalation.id), [], question_id, escalation.id)

    def _who(self, escalation: Escalation) -> str:
        if escalation.status == EscalationStatus.CLAIMED and escalation.claimed_by:
            return messages.ON_IT.format(who=self.name_of(escalation.claimed_by))
        names = [self.name_of(c) for c in escalation.superusers]
        return messages.ASKED.format(who=", ".join(names) if names else "the community team")

    def is_spammer(self, member: str) -> bool:
        """Marked by an admin (`/spammer`, or conversation.spammers in config.toml): ignored, never knowledge."""
        return member in self.settings.spammers or member in self.store.spammers()

    async def split(self, escalation_id: int, handoff: Handoff) -> Reply:
        """`/split N`: the askers who joined N asked something else: each gets an escalation of their own."""
        if await asyncio.to_thread(self.store.escalation, escalation_id) is None:
            return Reply(Outcome.COMMAND, messages.NO_SUCH_ESCALATION.format(id=escalation_id))
        joined = await asyncio.to_thread(self.store.unjoin, escalation_id)
        if not joined:
            return Reply(Outcome.COMMAND, messages.NOTHING_TO_SPLIT.format(id=escalation_id))
        by_id = {s.community_id: s for s in self.superusers}
        notices: list[Notice] = []
        opened: list[int] = []
        for j in joined:
            asked = Question(j.question, j.asker, j.platform, j.channel, j.public, thread=j.thread)
            reply = await handoff.escalate(asked, j.question_id, j.question, [], None)
            assert reply.escalation_id is not None
            opened.append(reply.escalation_id)
            pinged = tuple(by_id[c] for c in reply.notify if c in by_id)
            ping = messages.ping(reply.escalation_id, j.question, urgent=False)
            for kind, text, who in (("asker", reply.text, ()), ("ping", ping, pinged)):
                notices.append(
                    Notice(
                        "asker" if kind == "asker" else "ping",
                        text,
                        reply.escalation_id,
                        superusers=who,
                        platform=j.platform,
                        channel=j.channel,
                        thread=j.thread,
                        question_id=j.question_id,
                    )
                )
        await handoff.outbox.deliver(notices)
        ids = ", ".join(f"#{i}" for i in opened)
        return Reply(Outcome.COMMAND, messages.SPLIT.format(id=escalation_id, ids=ids), escalation_id=escalation_id)

    def _throttle(self, question: Question, question_id: int) -> Reply | None:
        limit = self.settings.max_escalations_per_hour
        since = self.store.clock() - timedelta(hours=1)
        if self.store.escalations_opened_by(question.platform, question.asker, since) < limit:
            return None
        self.store.set_question_outcome(question_id, Outcome.THROTTLED.value)
        log.info("escalation throttled", extra={"asker": question.asker, "limit": limit})
        return Reply(Outcome.THROTTLED, messages.THROTTLED.format(limit=limit), [], question_id)


def to_every_asker(store: StateStore, escalation: Escalation, text: str, *, answered: bool = False) -> list[Notice]:
    """`text` for the escalation's asker and every asker who joined it, each in their own thread (with their
    own buttons when `answered`: it brings a person's answer to confirm)."""
    askers = [(escalation.platform, escalation.channel, escalation.thread, escalation.question_id)]
    askers += [(j.platform, j.channel, j.thread, j.question_id) for j in store.joined_askers(escalation.id)]
    return [
        Notice(
            "asker",
            text,
            escalation.id,
            platform=platform,
            channel=channel,
            thread=thread,
            question_id=question_id,
            answered=answered,
        )
        for platform, channel, thread, question_id in askers
    ]
