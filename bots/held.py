"""Approval before serving (`curation.approve_before_serving`): what the bot learns waits for a moderator.

Two kinds are held, each where it already lives:
- an answer captured from an escalation is kept in captured.jsonl as always, but its entry is marked `held` in the
  curation table first (bots/curation.py serves it like a hidden one: never), so approving it serves it in every
  running bot from the next question on, and a reindex keeps the decision (by entry id);
- a thread learned live is held as `pending` in `live_threads`, the hold `live.unvetted = "review"` already used
  (`/review`, `/approve KEY`, `peerbot live approve`); approved, a running bot serves it on its next timer tick.
The dashboard lists both (bots/dashboard/control.py) and a moderator approves or rejects each; both are audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from peerbot.bots import live
from peerbot.bots.capture import SOURCE_NAME as CAPTURED
from peerbot.bots.capture import captured_records
from peerbot.bots.config import Settings
from peerbot.bots.state import StateStore
from peerbot.indexer.sources.jsonl import ThreadRecord, to_thread
from peerbot.indexer.trust import TrustPolicy
from peerbot.knowledge.entries import KnowledgeEntry
from peerbot.knowledge.neutralize import inert_entry

BOT = "peerbot"  # who holds a captured answer, in the audit log
Kind = Literal["captured", "live"]


class NotHeld(ValueError):
    """The answer is not (or no longer) waiting for approval; the message says which."""


@dataclass(frozen=True)
class HeldAnswer:
    kind: Kind
    key: str  # captured: the entry id; live: the thread's key
    entry: KnowledgeEntry | None  # None: its record could not be read (shown as such)
    since: datetime
    platform: str | None = None

    @property
    def entry_id(self) -> str:
        return self.key if self.kind == "captured" else live.entry_id(self.key)


def held_for_approval(settings: Settings, store: StateStore) -> Callable[[str], object] | None:
    """What Capture calls to hold a captured entry, or None when answers are served at once."""
    if not settings.curation.approve_before_serving:
        return None
    return lambda entry_id: store.curate(entry_id, BOT, "hold answer", held=True)


def held_answers(store: StateStore, captured_path: Path, policy: TrustPolicy) -> list[HeldAnswer]:
    """Captured answers held (oldest first), then live threads held (pending), as entries to show."""
    held = store.held_entries()
    entries: dict[str, KnowledgeEntry] = {}
    if held:
        wanted = {c.entry_id for c in held}
        for record in captured_records(captured_path):
            if f"{CAPTURED}:{record.id}" in wanted and (e := policy.entry_for(to_thread(record), CAPTURED)):
                entries[e.id] = e
    found = [HeldAnswer("captured", c.entry_id, _shown(entries.get(c.entry_id)), c.updated_at) for c in held]
    for row in store.live_threads("pending"):
        entry = policy.entry_for(to_thread(ThreadRecord.model_validate(row.record)), live.SOURCE_NAME)
        found.append(HeldAnswer("live", row.key, _shown(entry), row.updated_at, row.platform))
    return found


def _shown(entry: KnowledgeEntry | None) -> KnowledgeEntry | None:
    return inert_entry(entry) if entry is not None else None


def decide(store: StateStore, kind: str, key: str, approve: bool, admin: str, policy: TrustPolicy) -> str:
    """Approve (serve) or reject (never serve) one held answer, audited; returns the entry id."""
    if kind == "captured":
        current = store.curations().get(key)
        if current is None or not current.held:
            raise NotHeld(f"the captured answer {key!r} is not waiting for approval")
        if approve:
            store.curate(key, admin, "approve answer", held=False)
        else:
            store.curate(key, admin, "reject answer", held=False, hidden=True)
        return key
    if kind != "live":
        raise NotHeld(f"unknown kind {kind!r}: captured or live")
    before = store.live_thread(key)
    if before is None or before.status != "pending":
        raise NotHeld(f"the learned thread {key!r} is not waiting for approval")
    change = live.approve if approve else live.reject
    learned = change(store, key, f"dashboard:{admin}", policy)
    after = learned.status if learned else None
    action = "approve live thread" if approve else "reject live thread"
    store.audit(admin, action, f"entry {live.entry_id(key)}", {"status": before.status}, {"status": after})
    return live.entry_id(key)
