"""Live capture: a chat thread the community marks solved becomes a trusted entry, served at once and kept.

The adapters (adapters/slack_live.py, adapters/discord_live.py) read a thread from the platform each time
something about it changes (a reaction, a tag, an edit, a deletion) and hand it here as a JSONL thread record
(`ThreadRecord`). Here the record gets the same trust rules as the exports (indexer/trust.py), is stored in the
state store (`live_threads`, so every reindex, every replica and a restart keep it) and is swapped into the
serving index, or out of it when it is no longer trusted or its messages are gone.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from peerbot.bots.schema_live import LiveThread
from peerbot.bots.state import StateStore
from peerbot.indexer.sources.base import SourceProblem, Thread
from peerbot.indexer.sources.jsonl import ThreadRecord, to_thread
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.base import KnowledgeBase
from peerbot.knowledge.embedder import Embedder
from peerbot.knowledge.entries import Audience, KnowledgeEntry
from peerbot.knowledge.retriever import HybridRetriever

if TYPE_CHECKING:
    from peerbot.bots.config import Settings

log = logging.getLogger(__name__)

SOURCE_NAME = "live"
APPROVED = "approved-by:"  # a tag: an admin approved a held thread (`peerbot live approve KEY`)
REJECTED = "rejected-by:"  # a tag: a moderator rejected a held thread in the dashboard (never served)
Status = Literal["live", "pending", "retracted"]
# what is held back: "direct" nothing, "review" a non-superuser's answer without kudos, "all" every thread until an
# admin approves it (curation.approve_before_serving)
Unvetted = Literal["direct", "review", "all"]
DECISIONS = (APPROVED, REJECTED)


def unvetted_policy(settings: Settings) -> Unvetted:
    return "all" if settings.curation.approve_before_serving else settings.live.unvetted


def entry_id(key: str) -> str:
    return f"{SOURCE_NAME}:{key}"


def vetted(entry: KnowledgeEntry) -> bool:
    """Trusted for more than the asker's word: a superuser wrote it, or it has the kudos (indexer/trust.py)."""
    return any(r.startswith("by superuser ") or r.endswith(" kudos") for r in entry.trust_reasons)


def provenance(platform: str, channel: str, message: str, marked_by: str | None, when: datetime | None) -> str:
    """Where a live answer came from, as shown with its trust reasons (the credit line and `ask --json`)."""
    parts = [f"learned live on {platform} in {channel}, message {message}"]
    if marked_by:
        parts.append(f"marked solved by {marked_by}")
    if when is not None:
        parts.append(when.strftime("%Y-%m-%d %H:%M UTC"))
    return ", ".join(parts)


@dataclass(frozen=True)
class Learned:
    key: str
    status: Status
    changed: bool
    entry: KnowledgeEntry | None = None


def assess(record: ThreadRecord, policy: TrustPolicy, unvetted: Unvetted) -> tuple[Status, KnowledgeEntry | None]:
    """The thread's trusted entry and what becomes of it: served (live), held for review (pending) or retracted."""
    entry = policy.entry_for(to_thread(record), SOURCE_NAME)
    if entry is None:
        return "retracted", None
    if any(t.startswith(REJECTED) for t in record.tags):
        return "retracted", entry
    if any(t.startswith(APPROVED) for t in record.tags) or unvetted == "direct":
        return "live", entry
    return ("live" if unvetted == "review" and vetted(entry) else "pending"), entry


def keep(
    store: StateStore,
    record: ThreadRecord,
    platform: str,
    channel: str,
    policy: TrustPolicy,
    unvetted: Unvetted = "direct",
) -> Learned:
    """Store the thread as it is now (a running bot serves it on its next timer tick: LiveKnowledge.sync); a
    thread that is neither trusted nor known is not kept."""
    before = store.live_thread(record.id)
    kept = [t for t in (before.record.get("tags") or []) if t.startswith(DECISIONS)] if before else []
    if kept and not any(t.startswith(DECISIONS) for t in record.tags):  # a decision outlives later re-reads
        record = record.model_copy(update={"tags": [*record.tags, *kept]})
    status, entry = assess(record, policy, unvetted)
    if entry is None and before is None:
        return Learned(record.id, status, False)
    changed = store.save_live(record.id, platform, channel, status, record.model_dump())
    return Learned(record.id, status, changed, entry)


def approve(store: StateStore, key: str, by: str, policy: TrustPolicy) -> Learned | None:
    """A held (pending) thread served from now on, whatever its kudos; None when no thread has that key."""
    return decide(store, key, f"{APPROVED}{by}", policy)


def reject(store: StateStore, key: str, by: str, policy: TrustPolicy) -> Learned | None:
    """A held thread never served (status retracted, kept so later re-reads stay out); None when no thread has
    that key."""
    return decide(store, key, f"{REJECTED}{by}", policy)


def decide(store: StateStore, key: str, decision: str, policy: TrustPolicy) -> Learned | None:
    row = store.live_thread(key)
    if row is None:
        return None
    record = ThreadRecord.model_validate(row.record)
    tags = [t for t in record.tags if not t.startswith(DECISIONS)]  # the latest decision stands
    record = record.model_copy(update={"tags": [*tags, decision]})
    return keep(store, record, row.platform, row.channel, policy, "review")


@dataclass
class LiveStoreSource:
    """The live threads in the state store, as a source every reindex reads (like captured.jsonl)."""

    store: StateStore | None  # the caller's (read, not closed); else one is opened and closed for the read
    open_store: Callable[[], StateStore]
    name: str = SOURCE_NAME
    problems: list[SourceProblem] = field(default_factory=list)

    def threads(self) -> Iterator[Thread]:
        if self.store is not None:
            rows = self.store.live_threads("live")
        else:
            store = self.open_store()
            try:
                rows = store.live_threads("live")
            finally:
                store.close()
        for row in rows:
            try:
                yield to_thread(ThreadRecord.model_validate(row.record))
            except ValueError as exc:
                self.problems.append(SourceProblem("live_threads", row.key, str(exc).splitlines()[0]))


def with_live(kb: KnowledgeBase, store: StateStore, policy: TrustPolicy, embedder: Embedder) -> KnowledgeBase:
    """The knowledge base as the live threads say now, under today's trust rules: served ones it lacks (or holds
    in an older form) are added, entries of threads retracted, held for review or no longer trusted are taken
    out. O(live threads), never a scan of the whole knowledge base: every timer tick calls it."""
    served: dict[str, KnowledgeEntry] = {}
    gone: set[str] = set()
    for row in store.live_threads(None):
        entry = None
        if row.status == "live":
            entry = policy.entry_for(to_thread(ThreadRecord.model_validate(row.record)), SOURCE_NAME)
        if entry is None:
            gone.add(entry_id(row.key))
        else:
            served[entry.id] = entry
    gone |= {i for i, e in kb.added_by_id.items() if e.source == SOURCE_NAME and i not in served}  # rows deleted
    kb = kb.without(gone)
    missing = [e for i, e in served.items() if kb.find(i) != e]
    if not missing:
        return kb
    return kb.with_added(missing, embedder.embed([e.question_text for e in missing]))


class LiveKnowledge:
    """Learns and unlearns live threads: store first (a crash after it still keeps the change), then serve."""

    def __init__(
        self,
        store: StateStore,
        policy: Callable[[], TrustPolicy],
        retriever: HybridRetriever,
        *,
        unvetted: Unvetted = "direct",
    ) -> None:
        self.store = store
        self.policy = policy  # read per change: authors forgotten since start-up stay out
        self.retriever = retriever
        self.unvetted = unvetted
        self._lock = threading.Lock()

    async def learn(self, record: ThreadRecord, platform: str, channel: str) -> Learned:
        """The thread as it is now: served when trusted (held back when the policy says review), else retracted."""
        return await asyncio.to_thread(self._learn, record, platform, channel)

    async def retract(self, key: str) -> bool:
        """The thread's messages are gone: out of the index and the store's served threads. False if unknown."""
        return await asyncio.to_thread(self._retract, key)

    async def known(self, key: str) -> bool:
        return await self.record(key) is not None

    async def record(self, key: str) -> dict[str, Any] | None:
        """The thread record as last stored (any status), or None."""
        row = await asyncio.to_thread(self.store.live_thread, key)
        return row.record if row is not None else None

    def _learn(self, record: ThreadRecord, platform: str, channel: str) -> Learned:
        with self._lock:
            learned = keep(self.store, record, platform, channel, self.policy(), self.unvetted)
            status, entry = learned.status, learned.entry
            if not learned.changed and entry is None:
                return learned  # nothing solved here, nothing known
            if status == "live" and entry is not None:
                vector = self.retriever.embedder.embed([entry.question_text])
                self.retriever.update(lambda kb: kb.with_added([entry], vector))
            else:
                self.retriever.update(lambda kb: kb.without({entry_id(record.id)}))
        log.info("live thread", extra={"key": record.id, "status": status, "changed": learned.changed})
        return learned

    def _retract(self, key: str) -> bool:
        with self._lock:
            row = self.store.live_thread(key)
            if row is None:
                return False
            self.store.save_live(key, row.platform, row.channel, "retracted", row.record)
            self.retriever.update(lambda kb: kb.without({entry_id(key)}))
        log.info("live thread retracted", extra={"key": key})
        return True

    async def approve(self, key: str, by: str) -> Learned | None:
        """A held thread served from now on (chat `/approve KEY`, like `peerbot live approve`); None when no
        thread has that key."""
        learned = await asyncio.to_thread(approve, self.store, key, by, self.policy())
        if learned is not None:
            await asyncio.to_thread(self.sync)
        return learned

    def held(self, audience: Audience) -> list[LiveThread]:
        """Threads held for review (live.unvetted = "review") that `audience` may read."""
        held = self.store.live_threads("pending")
        return [t for t in held if audience.may_read(str(t.record.get("visibility", "public")), t.channel)]

    def sync(self) -> None:
        """Pick up what other replicas learned (called from the timer)."""
        policy, embedder = self.policy(), self.retriever.embedder
        with self._lock:
            self.retriever.update(lambda kb: with_live(kb, self.store, policy, embedder))
